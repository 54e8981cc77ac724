#include "gui/models/field_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <system_error>

#include "gui/format.h"

namespace flopcast::gui {

namespace sc = flopcast::scenarios;
using nlohmann::ordered_json;

namespace {

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

// The key as written in the file ("n_layers"), so the form reads like the file and like the
// validator's messages; the rows above it give the path.
QString label_for(const std::string& pointer) {
  const auto slash = pointer.rfind('/');
  return QString::fromStdString(pointer.substr(slash == std::string::npos ? 0 : slash + 1));
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

// A range bound as people read it: 1048576 -> "1,048,576", 0.5 -> "0.5".
QString bound_text(double v) {
  if (std::fabs(v) < 1e15 && v == std::floor(v)) return format_count(v);
  return exact_number_text(v);
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
  std::map<std::string, int> group_node;   // group name -> node
  std::map<std::string, int> object_node;  // object pointer -> node
  for (const auto& spec : keys) {
    if (!is_leaf_type(spec) || !addressable(spec.pointer)) continue;
    // A key with keys below it is an object row, made when its first key arrives.
    bool has_children = false;
    for (const auto& other : keys)
      if (other.pointer.size() > spec.pointer.size() &&
          other.pointer.compare(0, spec.pointer.size() + 1, spec.pointer + "/") == 0) {
        has_children = true;
        break;
      }
    if (has_children) continue;
    auto g = group_node.find(spec.group);
    if (g == group_node.end()) {
      Field group;
      group.label = group_title(spec.group);
      g = group_node.emplace(spec.group, add_node(-1, group)).first;
    }
    // Objects between the section and the key ("/workload/model/moe" for
    // "/workload/model/moe/n_experts"); the first token is the group itself.
    int parent_node = g->second;
    std::size_t pos = spec.pointer.find('/', 1);
    while (pos != std::string::npos) {
      const std::size_t next = spec.pointer.find('/', pos + 1);
      if (next == std::string::npos) break;
      const std::string prefix = spec.pointer.substr(0, next);
      auto o = object_node.find(prefix);
      if (o == object_node.end()) {
        Field object;
        object.spec = sc::find_key(prefix);
        object.pointer = QString::fromStdString(prefix);
        object.label = label_for(prefix);
        o = object_node.emplace(prefix, add_node(parent_node, object)).first;
      }
      parent_node = o->second;
      pos = next;
    }
    Field f;
    f.spec = &spec;
    f.is_field = true;
    f.pointer = QString::fromStdString(spec.pointer);
    f.label = label_for(spec.pointer);
    add_node(parent_node, f);
  }
  // Groups in the order people answer them (what is trained, on what, at what price), then the
  // rest in key-table order; the file's metadata last.
  const std::vector<std::string> first = {"workload", "hardware", "costs", "parallelism",
                                          "simulation"};
  auto rank = [&](int id) {
    for (const auto& [name, node] : group_node)
      if (node == id) {
        const auto it = std::find(first.begin(), first.end(), name);
        if (it != first.end()) return static_cast<int>(it - first.begin());
        return name == "document" ? 1000 : 100;
      }
    return 100;
  };
  std::stable_sort(top_.begin(), top_.end(), [&](int a, int b) { return rank(a) < rank(b); });
  for (int r = 0; r < static_cast<int>(top_.size()); ++r)
    nodes_[static_cast<std::size_t>(top_[r])].row = r;
}

int ScenarioFieldModel::add_node(int parent, Field node) {
  const int id = static_cast<int>(nodes_.size());
  node.parent = parent;
  auto& siblings = parent < 0 ? top_ : nodes_[static_cast<std::size_t>(parent)].children;
  node.row = static_cast<int>(siblings.size());
  siblings.push_back(id);
  nodes_.push_back(std::move(node));
  return id;
}

int ScenarioFieldModel::node_id(const QModelIndex& index) const {
  if (!index.isValid() || index.model() != this) return -1;
  const auto id = static_cast<std::size_t>(index.internalId());
  if (id == 0 || id > nodes_.size()) return -1;
  return static_cast<int>(id - 1);
}

QModelIndex ScenarioFieldModel::index_for(int id, int column) const {
  if (id < 0 || id >= static_cast<int>(nodes_.size())) return {};
  return createIndex(nodes_[static_cast<std::size_t>(id)].row, column,
                     static_cast<quintptr>(id + 1));
}

bool ScenarioFieldModel::has_values(int id) const {
  const Field& n = nodes_[static_cast<std::size_t>(id)];
  if (n.is_field) return present(n);
  for (int c : n.children)
    if (has_values(c)) return true;
  return false;
}

void ScenarioFieldModel::set_document(ordered_json document) {
  beginResetModel();
  document_ = std::move(document);
  for (auto& n : nodes_) n.message.clear();
  endResetModel();
}

int ScenarioFieldModel::set_diagnostics(const std::vector<sc::Diagnostic>& diagnostics) {
  int attached = 0;
  for (int id = 0; id < static_cast<int>(nodes_.size()); ++id) {
    Field& f = nodes_[static_cast<std::size_t>(id)];
    if (!f.is_field) continue;
    QStringList messages;
    const std::string p = f.spec->pointer;
    for (const auto& d : diagnostics)
      if (d.pointer == p ||
          (d.pointer.size() > p.size() && d.pointer.compare(0, p.size() + 1, p + "/") == 0))
        messages << QString::fromStdString(d.message);
    attached += static_cast<int>(messages.size());
    const QString joined = messages.join(QStringLiteral("; "));
    if (joined != f.message) {
      f.message = joined;
      emit dataChanged(index_for(id, 0), index_for(id, kColumnCount - 1));
    }
  }
  return attached;
}

QModelIndex ScenarioFieldModel::index_of(const QString& pointer, int column) const {
  for (int id = 0; id < static_cast<int>(nodes_.size()); ++id)
    if (nodes_[static_cast<std::size_t>(id)].is_field &&
        nodes_[static_cast<std::size_t>(id)].pointer == pointer)
      return index_for(id, column);
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
  for (const auto& f : nodes_) n += f.is_field ? 1 : 0;
  return n;
}

const ScenarioFieldModel::Field* ScenarioFieldModel::field_at(const QModelIndex& index) const {
  const int id = node_id(index);
  if (id < 0 || !nodes_[static_cast<std::size_t>(id)].is_field) return nullptr;
  return &nodes_[static_cast<std::size_t>(id)];
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
    parts << bound_text(*s.minimum) + QStringLiteral(" to ") + bound_text(*s.maximum);
  else if (s.minimum)
    parts << QStringLiteral(">= ") + bound_text(*s.minimum);
  else if (s.maximum)
    parts << QStringLiteral("<= ") + bound_text(*s.maximum);
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
  lines << QStringLiteral("<b>%1</b> = %2")
               .arg(f.pointer.toHtmlEscaped(), current_text(f).left(200).toHtmlEscaped());
  if (!s.help.empty()) lines << QString::fromStdString(s.help).toHtmlEscaped();
  QString type = QString::fromStdString(sc::to_string(s.type));
  if (!s.unit.empty())
    type += QStringLiteral(", ") + QString::fromStdString(s.unit).toHtmlEscaped();
  lines << QStringLiteral("Type: ") + type;
  if (s.minimum || s.maximum)
    lines << QStringLiteral("Range: ") +
                 (s.minimum ? exact_number_text(*s.minimum) : QString("-inf")) +
                 QStringLiteral(" to ") +
                 (s.maximum ? exact_number_text(*s.maximum) : QString("+inf"));
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
  if (!parent.isValid())
    return row < static_cast<int>(top_.size())
               ? index_for(top_[static_cast<std::size_t>(row)], column)
               : QModelIndex();
  const int pid = node_id(parent);
  if (pid < 0 || parent.column() != 0) return {};
  const auto& children = nodes_[static_cast<std::size_t>(pid)].children;
  if (row >= static_cast<int>(children.size())) return {};
  return index_for(children[static_cast<std::size_t>(row)], column);
}

QModelIndex ScenarioFieldModel::parent(const QModelIndex& child) const {
  const int id = node_id(child);
  if (id < 0) return {};
  return index_for(nodes_[static_cast<std::size_t>(id)].parent, 0);
}

int ScenarioFieldModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(top_.size());
  const int id = node_id(parent);
  if (id < 0 || parent.column() != 0) return 0;
  return static_cast<int>(nodes_[static_cast<std::size_t>(id)].children.size());
}

int ScenarioFieldModel::columnCount(const QModelIndex&) const { return kColumnCount; }

QVariant ScenarioFieldModel::data(const QModelIndex& index, int role) const {
  const int id = node_id(index);
  if (id < 0) return {};
  const Field& node = nodes_[static_cast<std::size_t>(id)];
  if (!node.is_field) {  // group or object row
    switch (role) {
      case Qt::DisplayRole:
      case Qt::EditRole:
        return index.column() == kFieldColumn ? node.label : QVariant();
      case Qt::ToolTipRole:
        return node.spec ? QString::fromStdString(node.spec->help) : QVariant();
      case Qt::FontRole:
        if (node.parent < 0) {
          QFont font;
          font.setBold(true);
          return font;
        }
        return {};
      case PointerRole:
        return node.pointer;
      case IsFieldRole:
        return false;
      case HasValuesRole:
        return has_values(id);
    }
    return {};
  }
  const Field* f = &node;
  const bool is_default = !present(*f);
  switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
      switch (index.column()) {
        case kFieldColumn:
          return f->label;
        case kValueColumn:
          return current_text(*f);
        case kUnitColumn:
          return QString::fromStdString(f->spec->unit);
        case kNoteColumn:
          return note_text(*f);
      }
      return {};
    case Qt::ToolTipRole:
      return tooltip(*f);
    case Qt::ForegroundRole:
      if (index.column() == kNoteColumn)
        return f->message.isEmpty()
                   ? QBrush(QGuiApplication::palette().color(QPalette::PlaceholderText))
                   : QBrush(QColor(0xb0, 0x00, 0x20));
      if (index.column() == kValueColumn && !f->message.isEmpty())
        return QBrush(QColor(0xb0, 0x00, 0x20));
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
    case IsFieldRole:
      return true;
    case HasValuesRole:
      return !is_default;
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
  const int id = node_id(index);
  if (id < 0) return Qt::NoItemFlags;
  if (!nodes_[static_cast<std::size_t>(id)].is_field) return Qt::ItemIsEnabled;
  Qt::ItemFlags fl = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
  if (index.column() == kValueColumn) fl |= Qt::ItemIsEditable;
  return fl;
}

QVariant ScenarioFieldModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kFieldColumn:
      return tr("Field");
    case kValueColumn:
      return tr("Value");
    case kUnitColumn:
      return tr("Unit");
    case kNoteColumn:
      return tr("Check / range");
  }
  return {};
}

}  // namespace flopcast::gui
