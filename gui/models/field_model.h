// The scenario form as an item model: a top row per key-table group (workload, hardware, ...),
// a row per nested object (workload > model > moe) and a row per editable key, generated from
// flopcast::scenarios::scenario_keys() (the table the validator, the JSON Schema and
// docs/scenario-format.md use). Groups come in the order people answer them (workload, hardware,
// costs, parallelism, simulation; file metadata last), keys in table order. Columns: field,
// value, unit, note (the validator's message for that key, or its range and default). Editing a
// value writes the JSON document held here; the model never checks ranges itself: the runner's
// validator does, and its diagnostics come back through set_diagnostics().
#pragma once

#include <QAbstractItemModel>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/key_table.h"
#include "scenarios/runner.h"

namespace flopcast::gui {

class ScenarioFieldModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum Column { kFieldColumn, kValueColumn, kUnitColumn, kNoteColumn, kColumnCount };
  enum Role {
    PointerRole = Qt::UserRole + 1,  // QString JSON pointer (key rows)
    ChoicesRole,                     // QStringList for enumerations and booleans
    IsDefaultRole,                   // bool: the key is absent and the default applies
    MessageRole,                     // QString: the validator's message for this key ("" if none)
    IsFieldRole,                     // bool: an editable key (not a group or object row)
    HasValuesRole,                   // bool: the document sets this key or a key below this row
  };

  explicit ScenarioFieldModel(QObject* parent = nullptr);

  void set_document(nlohmann::ordered_json document);  // resets every value
  const nlohmann::ordered_json& document() const { return document_; }

  // Messages from the runner's validator; each attaches to the row whose pointer it names (or a
  // parent of it). Returns how many attached to a row.
  int set_diagnostics(const std::vector<flopcast::scenarios::Diagnostic>& diagnostics);

  QModelIndex index_of(const QString& pointer, int column = kValueColumn) const;
  // Sets a key from the text a person typed (as the value column's setData does).
  bool set_value_text(const QString& pointer, const QString& text);
  QString value_text(const QString& pointer) const;
  int field_count() const;

  // QAbstractItemModel
  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 signals:
  void edited(const QString& pointer);  // a value changed through setData / set_value_text

 private:
  // A row: a group (spec null, pointer ""), an object (is_field false) or a key (is_field true).
  struct Field {
    const flopcast::scenarios::KeySpec* spec = nullptr;
    QString pointer;
    QString label;
    QString message;
    bool is_field = false;
    int parent = -1;  // index in nodes_, -1 for top rows
    int row = 0;      // row under the parent
    std::vector<int> children;
  };

  int add_node(int parent, Field node);
  int node_id(const QModelIndex& index) const;  // -1 when invalid
  QModelIndex index_for(int id, int column) const;
  bool has_values(int id) const;
  const Field* field_at(const QModelIndex& index) const;  // key rows only
  Field* field_at(const QModelIndex& index);
  bool present(const Field& f) const;
  QString current_text(const Field& f) const;
  QString note_text(const Field& f) const;
  QString tooltip(const Field& f) const;

  std::vector<Field> nodes_;
  std::vector<int> top_;
  nlohmann::ordered_json document_ = nlohmann::ordered_json::object();
};

// Text a person typed -> the JSON value for this key. Text that is not of the key's type stays a
// string, so the validator (not the GUI) reports it. Sets *remove for empty text (use the default).
nlohmann::ordered_json json_from_text(const flopcast::scenarios::KeySpec& spec, const QString& text,
                                      bool* remove);
// A JSON value as the form shows it ("64", "1.5e+13", "bf16", "qkv_proj, o_proj").
QString text_from_json(const nlohmann::ordered_json& value);

}  // namespace flopcast::gui
