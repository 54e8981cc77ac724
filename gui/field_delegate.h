// Editors for the form's value column: a combo box for enumerations and booleans (choices from
// the key table), a line edit otherwise. Both commit as the person types or picks, so the answer
// follows every change (the runner drops stale requests).
#pragma once

#include <QStyledItemDelegate>

namespace flopcast::gui {

class FieldDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                        const QModelIndex& index) const override;
  void setEditorData(QWidget* editor, const QModelIndex& index) const override;
  void setModelData(QWidget* editor, QAbstractItemModel* model,
                    const QModelIndex& index) const override;
};

}  // namespace flopcast::gui
