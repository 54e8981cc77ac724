#include "gui/models/diagnostic_model.h"

#include <QApplication>
#include <QBrush>
#include <QColor>
#include <QStyle>

namespace flopcast::gui {

DiagnosticModel::DiagnosticModel(QObject* parent) : QAbstractListModel(parent) {}

void DiagnosticModel::set_diagnostics(std::vector<flopcast::scenarios::Diagnostic> diagnostics,
                                      bool errors) {
  beginResetModel();
  items_ = std::move(diagnostics);
  errors_ = errors;
  endResetModel();
}

void DiagnosticModel::clear() { set_diagnostics({}, false); }

int DiagnosticModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(items_.size());
}

QVariant DiagnosticModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || index.row() >= static_cast<int>(items_.size()) ||
      index.column() != 0)
    return {};
  const auto& d = items_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
      return QString::fromStdString(d.to_string());
    case Qt::DecorationRole:
      if (auto* style = QApplication::style())
        return style->standardIcon(errors_ ? QStyle::SP_MessageBoxCritical
                                           : QStyle::SP_MessageBoxWarning);
      return {};
    case Qt::ForegroundRole:
      return errors_ ? QBrush(QColor(0xb0, 0x00, 0x20)) : QVariant();
    case PointerRole:
      return QString::fromStdString(d.pointer);
    case MessageRole:
      return QString::fromStdString(d.message);
    case IsErrorRole:
      return errors_;
  }
  return {};
}

}  // namespace flopcast::gui
