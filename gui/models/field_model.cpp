#include "gui/models/field_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <charconv>
#include <map>
#include <system_error>

#include "gui/format.h"

namespace flopcast::gui {

namespace sc = flopcast::scenarios;
using nlohmann::ordered_json;

namespace {

constexpr quintptr kGroupId = 0;  // internalId of group rows; key rows store group index + 1

bool is_leaf_type(const sc::KeySpec& spec) {
  switch (spec.type) {
    case sc::KeyType::integer:
    case sc::KeyType::number:
    case sc::KeyType::string:
    case sc::KeyType::boolean:
    case sc::KeyType::enumeration:
    case sc::KeyType::any_of:
      return true;
    case sc::KeyType::array:  // arrays of scalars are edited as "a, b, c"
      return spec.item_type != sc::KeyType::object && spec.item_type != sc::KeyType::array;
    case sc::KeyType::object:
      return false;
  }
  return false;
}

// Pointers the form cannot address as one field: array items and pattern keys.
bool addressable(const std::string& pointer) {
  return !pointer.empty() && pointer.find('*') == std::string::npos &&
         pointer.find("/-") == std::string::npos && pointer.find('{') == std::string::npos;
}

QString label_for(const std::string& pointer) {
  const auto slash = pointer.rfind('/');
  QString token = QString::fromStdString(pointer.substr(slash == std::string::npos ? 0 : slash + 1));
  token.replace('_', ' ');
  if (!token.isEmpty()) token[0] = token[0].toUpper();
  return token;
}

QString group_title(const std::string& group) {
  QString g = QString::fromStdString(group.empty() ? std::string("other") : group);
  g.replace('_', ' ');
  if (!g.isEmpty()) g[0] = g[0].toUpper();
  return g;
}

std::optional<long long> parse_integer(const std::string& s) {
  long long v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<double> parse_number(const std::string& s) {
  std::string t = s;
  if (!t.empty() && t[0] == '+') t.erase(0, 1);
  double v = 0;
  const auto* end = t.data() + t.size();
  const auto [ptr, ec] = std::from_chars(t.data(), end, v);
  if (ec != std::errc() || ptr != end || t.empty()) return std::nullopt;
  return v;
}

ordered_json scalar_from_text(sc::KeyType type, const QString& text) {
  const std::string s = text.trimmed().toStdString();
  switch (type) {
    case sc::KeyType::integer:
    case sc::KeyType::number:
    case sc::KeyType::any_of: {
      if (auto i = parse_integer(s)) return *i;
      if (auto d = parse_number(s)) return *d;
      if (type == sc::KeyType::any_of) {
        if (s == "true") return true;
        if (s == "false") return false;
      }
      return s;  // not a number: the validator says what was expected
    }
    case sc::KeyType::boolean:
      if (s == "true") return true;
      if (s == "false") return false;
      return s;
    default:
      return s;
  }
}

}  // namespace

ordered_json json_from_text(const sc::KeySpec& spec, const QString& text, bool* remove) {
  *remove = text.trimmed().isEmpty();
  if (*remove) return nullptr;
  if (spec.type == sc::KeyType::array) {
    ordered_json items = ordered_json::array();
    const QStringList parts = text.split(',', Qt::SkipEmptyParts);
    for (const QString& part : parts) {
      if (part.trimmed().isEmpty()) continue;
      items.push_back(scalar_from_text(spec.item_type, part));
    }
    return items;
  }
  return scalar_from_text(spec.type, text);
}

QString text_from_json(const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::string:
      return QString::fromStdString(value.get<std::string>());
    case ordered_json::value_t::number_integer:
      return QString::number(value.get<long long>());
    case ordered_json::value_t::number_unsigned:
      return QString::number(value.get<unsigned long long>());
    case ordered_json::value_t::number_float:
      return exact_number_text(value.get<double>());
    case ordered_json::value_t::boolean:
      return value.get<bool>() ? QStringLiteral("true") : QStringLiteral("false");
    case ordered_json::value_t::array: {
      QStringList parts;
      bool scalars = true;
      for (const auto& item : value) {
        if (item.is_structured()) scalars = false;
        parts << text_from_json(item);
      }
      if (scalars) return parts.join(QStringLiteral(", "));
      return QString::fromStdString(value.dump());
    }
    default:
      return QString::fromStdString(value.dump());
  }
}

ScenarioFieldModel::ScenarioFieldModel(QObject* parent) : QAbstractItemModel(parent) {
  const auto& keys = sc::scenario_keys();
  std::map<std::string, std::size_t> group_index;
  for (const auto& spec : keys) {
    if (!is_leaf_type(spec) || !addressable(spec.pointer)) continue;
    // A key with keys below it is a section, not a field.
    bool has_children = false;
    for (const auto& other : keys)
      if (other.pointer.size() > spec.pointer.size() &&
          other.pointer.compare(0, spec.pointer.size() + 1, spec.pointer + "/") == 0) {
        has_children = true;
        break;
      }
    if (has_children) continue;
    auto [it, inserted] = group_index.emplace(spec.group, groups_.size());
    if (inserted) groups_.push_back({group_title(spec.group), {}});
    Field f;
    f.spec = &spec;
    f.pointer = QString::fromStdString(spec.pointer);
    f.label = label_for(spec.pointer);
    groups_[it->second].fields.push_back(f);
  }
}

void ScenarioFieldModel::set_document(ordered_json document) {
  beginResetModel();
  document_ = std::move(document);
  for (auto& g : groups_)
    for (auto& f : g.fields) f.message.clear();
  endResetModel();
}

int ScenarioFieldModel::set_diagnostics(const std::vector<sc::Diagnostic>& diagnostics) {
  int attached = 0;
  for (int gi = 0; gi < static_cast<int>(groups_.size()); ++gi) {
    auto& fields = groups_[gi].fields;
    for (int fi = 0; fi < static_cast<int>(fields.size()); ++fi) {
      Field& f = fields[fi];
      QStringList messages;
      const std::string p = f.spec->pointer;
      for (const auto& d : diagnostics)
        if (d.pointer == p || (d.pointer.size() > p.size() && d.pointer.compare(0, p.size() + 1, p + "/") == 0))
          messages << QString::fromStdString(d.message);
      attached += static_cast<int>(messages.size());
      const QString joined = messages.join(QStringLiteral("; "));
      if (joined != f.message) {
        f.message = joined;
        const QModelIndex first = createIndex(fi, 0, static_cast<quintptr>(gi + 1));
        const QModelIndex last = createIndex(fi, kColumnCount - 1, static_cast<quintptr>(gi + 1));
        emit dataChanged(first, last);
      }
    }
  }
  return attached;
}

QModelIndex ScenarioFieldModel::index_of(const QString& pointer, int column) const {
  for (int gi = 0; gi < static_cast<int>(groups_.size()); ++gi)
    for (int fi = 0; fi < static_cast<int>(groups_[gi].fields.size()); ++fi)
      if (groups_[gi].fields[fi].pointer == pointer)
        return createIndex(fi, column, static_cast<quintptr>(gi + 1));
  return {};
}

bool ScenarioFieldModel::set_value_text(const QString& pointer, const QString& text) {
  const QModelIndex i = index_of(pointer);
  return i.isValid() && setData(i, text, Qt::EditRole);
}

QString ScenarioFieldModel::value_text(const QString& pointer) const {
  const QModelIndex i = index_of(pointer);
  return i.isValid() ? data(i, Qt::EditRole).toString() : QString();
}

int ScenarioFieldModel::field_count() const {
  int n = 0;
  for (const auto& g : groups_) n += static_cast<int>(g.fields.size());
  return n;
}

const ScenarioFieldModel::Field* ScenarioFieldModel::field_at(const QModelIndex& index) const {
  if (!index.isValid() || index.internalId() == kGroupId) return nullptr;
  const auto gi = static_cast<std::size_t>(index.internalId() - 1);
  if (gi >= groups_.size() || index.row() < 0 ||
      static_cast<std::size_t>(index.row()) >= groups_[gi].fields.size())
    return nullptr;
  return &groups_[gi].fields[static_cast<std::size_t>(index.row())];
}

ScenarioFieldModel::Field* ScenarioFieldModel::field_at(const QModelIndex& index) {
  return const_cast<Field*>(std::as_const(*this).field_at(index));
}

bool ScenarioFieldModel::present(const Field& f) const {
  try {
    return document_.contains(ordered_json::json_pointer(f.spec->pointer));
  } catch (const std::exception&) {
    return false;
  }
}

QString ScenarioFieldModel::current_text(const Field& f) const {
  try {
    const ordered_json::json_pointer ptr(f.spec->pointer);
    if (document_.contains(ptr)) return text_from_json(document_.at(ptr));
  } catch (const std::exception&) {
  }
  if (!f.spec->default_value.is_null()) return text_from_json(f.spec->default_value);
  return {};
}

QString ScenarioFieldModel::note_text(const Field& f) const {
  if (!f.message.isEmpty()) return f.message;
  const auto& s = *f.spec;
  QStringList parts;
  if (s.minimum && s.maximum)
    parts << format_number(*s.minimum, 6) + QStringLiteral(" to ") + format_number(*s.maximum, 6);
  else if (s.minimum)
    parts << QStringLiteral(">= ") + format_number(*s.minimum, 6);
  else if (s.maximum)
    parts << QStringLiteral("<= ") + format_number(*s.maximum, 6);
  if (!s.choices.empty() && s.type != sc::KeyType::enumeration && s.type != sc::KeyType::boolean) {
    QStringList c;
    for (const auto& choice : s.choices) c << QString::fromStdString(choice);
    parts << QStringLiteral("or ") + c.join(QStringLiteral(" / "));
  }
  if (!present(f)) {
    if (!s.default_value.is_null())
      parts << QStringLiteral("default");
    else if (!s.default_text.empty())
      parts << QStringLiteral("default: ") + QString::fromStdString(s.default_text);
    else if (s.required)
      parts << QStringLiteral("required");
  }
  return parts.join(QStringLiteral(", "));
}

QString ScenarioFieldModel::tooltip(const Field& f) const {
  const auto& s = *f.spec;
  QStringList lines;
  lines << QStringLiteral("<b>%1</b>").arg(f.pointer.toHtmlEscaped());
  if (!s.help.empty()) lines << QString::fromStdString(s.help).toHtmlEscaped();
  QString type = QString::fromStdString(sc::to_string(s.type));
  if (!s.unit.empty()) type += QStringLiteral(", ") + QString::fromStdString(s.unit).toHtmlEscaped();
  lines << QStringLiteral("Type: ") + type;
  if (s.minimum || s.maximum)
    lines << QStringLiteral("Range: ") + (s.minimum ? exact_number_text(*s.minimum) : QString("-inf")) +
                 QStringLiteral(" to ") + (s.maximum ? exact_number_text(*s.maximum) : QString("+inf"));
  if (!s.choices.empty()) {
    QStringList c;
    for (const auto& choice : s.choices) c << QString::fromStdString(choice).toHtmlEscaped();
    lines << QStringLiteral("Choices: ") + c.join(QStringLiteral(", "));
  }
  if (!s.default_value.is_null())
    lines << QStringLiteral("Default: ") + text_from_json(s.default_value).toHtmlEscaped();
  else if (!s.default_text.empty())
    lines << QStringLiteral("Default: ") + QString::fromStdString(s.default_text).toHtmlEscaped();
  if (s.required) lines << QStringLiteral("Required.");
  if (!f.message.isEmpty())
    lines << QStringLiteral("<span style='color:#b00020'>%1</span>").arg(f.message.toHtmlEscaped());
  return lines.join(QStringLiteral("<br>"));
}

QModelIndex ScenarioFieldModel::index(int row, int column, const QModelIndex& parent) const {
  if (row < 0 || column < 0 || column >= kColumnCount) return {};
  if (!parent.isValid()) {
    if (row >= static_cast<int>(groups_.size())) return {};
    return createIndex(row, column, kGroupId);
  }
  if (parent.internalId() != kGroupId || parent.column() != 0) return {};
  const int gi = parent.row();
  if (gi < 0 || gi >= static_cast<int>(groups_.size()) ||
      row >= static_cast<int>(groups_[gi].fields.size()))
    return {};
  return createIndex(row, column, static_cast<quintptr>(gi + 1));
}

QModelIndex ScenarioFieldModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || child.internalId() == kGroupId) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, kGroupId);
}

int ScenarioFieldModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(groups_.size());
  if (parent.internalId() == kGroupId && parent.column() == 0 && parent.row() >= 0 &&
      parent.row() < static_cast<int>(groups_.size()))
    return static_cast<int>(groups_[parent.row()].fields.size());
  return 0;
}

int ScenarioFieldModel::columnCount(const QModelIndex&) const { return kColumnCount; }

QVariant ScenarioFieldModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  if (index.internalId() == kGroupId) {
    if (index.row() < 0 || index.row() >= static_cast<int>(groups_.size())) return {};
    if (index.column() == kFieldColumn && (role == Qt::DisplayRole || role == Qt::EditRole))
      return groups_[index.row()].name;
    if (role == Qt::FontRole) {
      QFont font;
      font.setBold(true);
      return font;
    }
    return {};
  }
  const Field* f = field_at(index);
  if (!f) return {};
  const bool is_default = !present(*f);
  switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
      switch (index.column()) {
        case kFieldColumn: return f->label;
        case kValueColumn: return current_text(*f);
        case kUnitColumn: return QString::fromStdString(f->spec->unit);
        case kNoteColumn: return note_text(*f);
      }
      return {};
    case Qt::ToolTipRole:
      return tooltip(*f);
    case Qt::ForegroundRole:
      if (index.column() == kNoteColumn)
        return f->message.isEmpty() ? QBrush(QGuiApplication::palette().color(QPalette::PlaceholderText))
                                    : QBrush(QColor(0xb0, 0x00, 0x20));
      if (index.column() == kValueColumn && !f->message.isEmpty()) return QBrush(QColor(0xb0, 0x00, 0x20));
      if (index.column() == kValueColumn && is_default)
        return QBrush(QGuiApplication::palette().color(QPalette::PlaceholderText));
      return {};
    case Qt::FontRole:
      if (index.column() == kValueColumn && is_default) {
        QFont font;
        font.setItalic(true);
        return font;
      }
      return {};
    case Qt::TextAlignmentRole:
      if (index.column() == kValueColumn &&
          (f->spec->type == sc::KeyType::integer || f->spec->type == sc::KeyType::number))
        return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    case PointerRole:
      return f->pointer;
    case ChoicesRole: {
      QStringList choices;
      if (f->spec->type == sc::KeyType::enumeration)
        for (const auto& c : f->spec->choices) choices << QString::fromStdString(c);
      else if (f->spec->type == sc::KeyType::boolean)
        choices << QStringLiteral("true") << QStringLiteral("false");
      return choices;
    }
    case IsDefaultRole:
      return is_default;
    case MessageRole:
      return f->message;
  }
  return {};
}

bool ScenarioFieldModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  Field* f = field_at(index);
  if (!f || index.column() != kValueColumn || role != Qt::EditRole) return false;
  bool remove = false;
  const ordered_json v = json_from_text(*f->spec, value.toString(), &remove);
  try {
    const ordered_json::json_pointer ptr(f->spec->pointer);
    const bool was_present = document_.contains(ptr);
    if (remove) {
      if (!was_present) return true;  // already the default
      document_.at(ptr.parent_pointer()).erase(ptr.back());
    } else {
      if (was_present && document_.at(ptr) == v) return true;  // no change
      document_[ptr] = v;
    }
  } catch (const std::exception&) {
    return false;  // the document's shape does not allow this pointer (the validator says why)
  }
  emit dataChanged(this->index(index.row(), 0, index.parent()),
                   this->index(index.row(), kColumnCount - 1, index.parent()));
  emit edited(f->pointer);
  return true;
}

Qt::ItemFlags ScenarioFieldModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  if (index.internalId() == kGroupId) return Qt::ItemIsEnabled;
  Qt::ItemFlags fl = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
  if (index.column() == kValueColumn) fl |= Qt::ItemIsEditable;
  return fl;
}

QVariant ScenarioFieldModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kFieldColumn: return tr("Field");
    case kValueColumn: return tr("Value");
    case kUnitColumn: return tr("Unit");
    case kNoteColumn: return tr("Check / range");
  }
  return {};
}

}  // namespace flopcast::gui
