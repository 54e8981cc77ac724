#include "gui/field_delegate.h"

#include <QComboBox>
#include <QLineEdit>

#include "gui/models/field_model.h"

namespace flopcast::gui {

QWidget* FieldDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                     const QModelIndex& index) const {
  const QStringList choices = index.data(ScenarioFieldModel::ChoicesRole).toStringList();
  auto* self = const_cast<FieldDelegate*>(this);
  if (!choices.isEmpty()) {
    auto* combo = new QComboBox(parent);
    combo->addItems(choices);
    combo->setAccessibleName(
        index.siblingAtColumn(ScenarioFieldModel::kFieldColumn).data().toString());
    connect(combo, &QComboBox::activated, self, [self, combo] {
      combo->setProperty("flopcast_user_changed", true);
      emit self->commitData(combo);
    });
    return combo;
  }
  auto* edit = qobject_cast<QLineEdit*>(QStyledItemDelegate::createEditor(parent, option, index));
  if (!edit) return QStyledItemDelegate::createEditor(parent, option, index);
  edit->setAccessibleName(
      index.siblingAtColumn(ScenarioFieldModel::kFieldColumn).data().toString());
  const QString unit = index.siblingAtColumn(ScenarioFieldModel::kUnitColumn).data().toString();
  if (!unit.isEmpty()) edit->setPlaceholderText(unit);
  // Live: every keystroke is a new request; the runner keeps only the latest.
  connect(edit, &QLineEdit::textEdited, self, [self, edit] { emit self->commitData(edit); });
  return edit;
}

void FieldDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  if (auto* combo = qobject_cast<QComboBox*>(editor)) {
    const QString value = index.data(Qt::EditRole).toString();
    const int i = combo->findText(value);
    if (i >= 0) {
      combo->setCurrentIndex(i);
    } else if (!value.isEmpty()) {
      combo->addItem(value);  // an invalid value from the file stays visible until changed
      combo->setCurrentIndex(combo->count() - 1);
    }
    return;
  }
  QStyledItemDelegate::setEditorData(editor, index);
}

void FieldDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                 const QModelIndex& index) const {
  // Closing an editor the person did not change must not write the shown default into the file.
  if (auto* combo = qobject_cast<QComboBox*>(editor)) {
    if (combo->property("flopcast_user_changed").toBool())
      model->setData(index, combo->currentText(), Qt::EditRole);
    return;
  }
  if (auto* edit = qobject_cast<QLineEdit*>(editor)) {
    if (edit->isModified()) model->setData(index, edit->text(), Qt::EditRole);
    return;
  }
  QStyledItemDelegate::setModelData(editor, model, index);
}

}  // namespace flopcast::gui
