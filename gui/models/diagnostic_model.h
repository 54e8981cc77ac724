// The runner's diagnostics as a list model: one row per message, shown as the CLI prints it
// (Diagnostic::to_string(): "FILE:LINE:COL: POINTER: MESSAGE"). Errors when the run failed,
// warnings otherwise; the icon says which.
#pragma once

#include <QAbstractListModel>
#include <vector>

#include "scenarios/runner.h"

namespace flopcast::gui {

class DiagnosticModel : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role { PointerRole = Qt::UserRole + 1, MessageRole, IsErrorRole };

  explicit DiagnosticModel(QObject* parent = nullptr);

  void set_diagnostics(std::vector<flopcast::scenarios::Diagnostic> diagnostics, bool errors);
  void clear();
  const std::vector<flopcast::scenarios::Diagnostic>& diagnostics() const { return items_; }
  bool errors() const { return errors_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 private:
  std::vector<flopcast::scenarios::Diagnostic> items_;
  bool errors_ = false;
};

}  // namespace flopcast::gui
