#include "gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "gui/charts/sweep_chart.h"
#include "gui/field_delegate.h"
#include "gui/format.h"
#include "gui/live_runner.h"
#include "gui/models/diagnostic_model.h"
#include "gui/models/field_model.h"
#include "scenarios/hf_import.h"
#include "scenarios/scenario.h"
#include "scenarios/strict_json.h"

namespace flopcast::gui {

namespace sc = flopcast::scenarios;

namespace {
constexpr int kMaxRecent = 8;
const char* const kRecentKey = "recentFiles";

bool is_cancelled(const sc::RunResult& r) {
  return !r.ok && r.diagnostics.size() == 1 && r.diagnostics.front().message == "cancelled";
}
}  // namespace

// One headline number: a title, the value in large type, and a line of detail.
class KpiCard : public QFrame {
 public:
  KpiCard(const QString& title, QWidget* parent) : QFrame(parent) {
    setFrameShape(QFrame::StyledPanel);
    setObjectName(QStringLiteral("kpiCard"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    title_ = new QLabel(title, this);
    QFont tf = title_->font();
    tf.setPointSizeF(tf.pointSizeF() * 0.95);
    title_->setFont(tf);
    title_->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));
    value_ = new QLabel(QStringLiteral("-"), this);
    QFont vf = value_->font();
    vf.setPointSizeF(vf.pointSizeF() * 1.9);
    vf.setBold(true);
    value_->setFont(vf);
    value_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detail_ = new QLabel(this);
    detail_->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));
    detail_->setWordWrap(true);  // the band and speed wrap instead of widening the card (and the window)
    layout->addWidget(title_);
    layout->addWidget(value_);
    layout->addWidget(detail_);
    setAccessibleName(title);
  }
  void set(const QString& value, const QString& detail, bool stale) {
    value_->setText(value);
    detail_->setText(detail);
    value_->setStyleSheet(stale ? QStringLiteral("color: palette(placeholder-text);") : QString());
    setAccessibleDescription(value + QStringLiteral(", ") + detail);
  }
  QString value() const { return value_->text(); }
  QString detail() const { return detail_->text(); }

 private:
  QLabel* title_;
  QLabel* value_;
  QLabel* detail_;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  fields_ = new ScenarioFieldModel(this);
  diagnostics_ = new DiagnosticModel(this);
  runner_ = new LiveRunner(this);
  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(30);  // coalesce a burst of keystrokes into one request
  connect(debounce_, &QTimer::timeout, this, &MainWindow::start_run);
  build_ui();
  build_actions();
  connect(fields_, &ScenarioFieldModel::edited, this, [this] {
    update_title();
    runner_->invalidate();  // answers for the old inputs are dropped from now on
    schedule_run();
  });
  connect(runner_, &LiveRunner::estimate_ready, this, &MainWindow::on_estimate);
  connect(runner_, &LiveRunner::sweep_ready, this, &MainWindow::on_sweep);
  connect(runner_, &LiveRunner::progress, this,
          [this](quint64, double fraction, const QString& what) {
            progress_->setValue(static_cast<int>(fraction * 100.0));
            progress_->setFormat(what.isEmpty() ? QStringLiteral("%p%")
                                                : what + QStringLiteral(" %p%"));
          });
  connect(runner_, &LiveRunner::busy_changed, this, [this](bool busy) {
    progress_->setVisible(busy);
    cancel_button_->setVisible(busy);
    if (busy) progress_->setValue(0);
    if (!busy && !debounce_->isActive()) emit became_idle();
  });
  fields_->set_document(nlohmann::ordered_json::object());
  saved_text_ = scenario_text();
  update_title();
  show_answer();
}

MainWindow::~MainWindow() = default;

void MainWindow::build_ui() {
  setObjectName(QStringLiteral("FlopcastMainWindow"));
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->setChildrenCollapsible(false);

  // Left: the form and the messages.
  auto* left = new QWidget(splitter);
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(6, 6, 3, 6);
  auto* form_title = new QLabel(tr("<b>Scenario</b>"), left);
  left_layout->addWidget(form_title);
  form_ = new QTreeView(left);
  form_->setObjectName(QStringLiteral("scenarioForm"));
  form_->setAccessibleName(tr("Scenario fields"));
  form_->setModel(fields_);
  form_->setItemDelegateForColumn(ScenarioFieldModel::kValueColumn, new FieldDelegate(form_));
  form_->setEditTriggers(QAbstractItemView::AllEditTriggers);
  form_->setAlternatingRowColors(true);
  form_->setUniformRowHeights(true);
  form_->setSelectionBehavior(QAbstractItemView::SelectRows);
  form_->header()->setStretchLastSection(true);
  form_->header()->setSectionResizeMode(ScenarioFieldModel::kFieldColumn, QHeaderView::Interactive);
  form_->setColumnWidth(ScenarioFieldModel::kFieldColumn, 182);
  form_->setColumnWidth(ScenarioFieldModel::kValueColumn, 116);
  form_->setColumnWidth(ScenarioFieldModel::kUnitColumn, 100);
  left_layout->addWidget(form_, 1);
  auto* messages_title = new QLabel(tr("<b>Messages</b> (as <tt>flopcast</tt> prints them)"), left);
  left_layout->addWidget(messages_title);
  messages_ = new QListView(left);
  messages_->setObjectName(QStringLiteral("messages"));
  messages_->setAccessibleName(tr("Validator messages"));
  messages_->setModel(diagnostics_);
  messages_->setWordWrap(true);
  messages_->setMaximumHeight(90);
  messages_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  left_layout->addWidget(messages_);
  connect(messages_, &QListView::activated, this, [this](const QModelIndex& i) {
    select_pointer(i.data(DiagnosticModel::PointerRole).toString());
  });
  connect(messages_, &QListView::clicked, this, [this](const QModelIndex& i) {
    select_pointer(i.data(DiagnosticModel::PointerRole).toString());
  });

  // Right: the answer.
  auto* right = new QWidget(splitter);
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(3, 6, 6, 6);
  auto* answer_title = new QLabel(tr("<b>Answer</b>"), right);
  right_layout->addWidget(answer_title);
  auto* cards = new QHBoxLayout;
  const QString titles[4] = {tr("Training time (wall clock)"), tr("GPU-hours"), tr("Cost"),
                             tr("Energy (facility)")};
  for (int i = 0; i < 4; ++i) {
    cards_[i] = new KpiCard(titles[i], right);
    cards->addWidget(cards_[i], 1);
  }
  right_layout->addLayout(cards);
  summary_ = new QLabel(right);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  right_layout->addWidget(summary_);
  chart_ = new SweepChart(right);
  right_layout->addWidget(chart_, 1);

  splitter->addWidget(left);
  splitter->addWidget(right);
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({600, 760});
  setCentralWidget(splitter);

  status_ = new QLabel(this);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 100);
  progress_->setMaximumWidth(260);
  progress_->setTextVisible(true);
  progress_->setVisible(false);
  cancel_button_ = new QToolButton(this);
  cancel_button_->setText(tr("Cancel"));
  cancel_button_->setVisible(false);
  connect(cancel_button_, &QToolButton::clicked, this, [this] { runner_->cancel(); });
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_button_);
}

void MainWindow::build_actions() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* toolbar = addToolBar(tr("File"));
  toolbar->setObjectName(QStringLiteral("fileToolBar"));
  toolbar->setMovable(false);
  toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  auto* open = file->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open..."),
                               this, &MainWindow::open_dialog);
  open->setShortcut(QKeySequence::Open);
  recent_menu_ = file->addMenu(tr("Open &Recent"));
  auto* import_action =
      file->addAction(tr("&Import Hugging Face config..."), this, &MainWindow::import_dialog);
  import_action->setToolTip(
      tr("Replace the model with a Hugging Face config.json's (flopcast import hf)"));
  file->addSeparator();
  auto* save_action = file->addAction(style()->standardIcon(QStyle::SP_DialogSaveButton),
                                      tr("&Save"), this, [this] { save(); });
  save_action->setShortcut(QKeySequence::Save);
  auto* save_as_action = file->addAction(style()->standardIcon(QStyle::SP_DriveFDIcon),
                                         tr("Save &As..."), this, [this] { save_as(); });
  save_as_action->setShortcut(QKeySequence::SaveAs);
  file->addSeparator();
  auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  toolbar->addAction(open);
  toolbar->addAction(save_action);
  toolbar->addAction(save_as_action);
  rebuild_recent_menu();
}

std::string MainWindow::scenario_text() const {
  return sc::save_scenario_text(fields_->document());
}

bool MainWindow::is_modified() const { return scenario_text() != saved_text_; }

bool MainWindow::idle() const { return !runner_->busy() && !debounce_->isActive(); }

QString MainWindow::kpi_text(int card) const {
  return card >= 0 && card < 4 ? cards_[card]->value() : QString();
}

QString MainWindow::kpi_detail(int card) const {
  return card >= 0 && card < 4 ? cards_[card]->detail() : QString();
}

QString MainWindow::summary_text() const { return summary_->text(); }

bool MainWindow::open_file(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = tr("%1: cannot read: %2").arg(path, file.errorString());
    return false;
  }
  const QByteArray bytes = file.readAll();
  const std::string text(bytes.constData(), static_cast<std::size_t>(bytes.size()));
  // The form needs a JSON document; a file that is not JSON cannot be shown as fields.
  auto parsed = sc::parse_strict(text, path.toStdString());
  if (!parsed.ok) {
    if (error) *error = QString::fromStdString(parsed.error.to_string());
    return false;
  }
  nlohmann::ordered_json document = std::move(parsed.doc);
  // A valid file is shown as migrated to the current schema version.
  auto loaded = sc::load_scenario_text(text, path.toStdString());
  if (loaded.ok) document = loaded.scenario.document;
  runner_->invalidate();  // nothing computed for the previous file may show for this one
  fields_->set_document(std::move(document));
  diagnostics_->clear();
  path_ = QFileInfo(path).absoluteFilePath();
  saved_text_ = scenario_text();
  answer_.reset();
  stale_ = false;
  show_answer();
  chart_->set_points({}, std::nullopt);
  update_title();
  add_recent(path_);
  form_->collapseAll();
  expand_rows_with_values({});
  schedule_run();
  return true;
}

bool MainWindow::import_hf(const QString& path, QString* error) {
  const auto imported = sc::import_hf_file(path.toStdString());
  if (!imported.ok) {
    if (error) *error = QString::fromStdString(imported.error);
    return false;
  }
  nlohmann::ordered_json doc = fields_->document();
  sc::merge_imported_model(doc, imported);
  runner_->invalidate();  // nothing computed for the previous model may show for this one
  fields_->set_document(std::move(doc));
  diagnostics_->clear();
  answer_.reset();
  stale_ = false;
  show_answer();
  update_title();
  form_->collapseAll();
  expand_rows_with_values({});
  statusBar()->showMessage(
      tr("Imported %1: %2, %3 parameters (check the amounts and the layout for this model)")
          .arg(QFileInfo(path).fileName(),
               QString::fromStdString(imported.workload["model"].value("kind", std::string())),
               imported.params >= 1e9 ? tr("%1 B").arg(imported.params / 1e9, 0, 'f', 2)
                                      : tr("%1 M").arg(imported.params / 1e6, 0, 'f', 1)),
      8000);
  schedule_run();
  return true;
}

void MainWindow::import_dialog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Import Hugging Face config"),
                                   path_.isEmpty() ? QString() : QFileInfo(path_).absolutePath(),
                                   tr("Hugging Face config (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!import_hf(path, &error)) QMessageBox::critical(this, tr("Cannot import config"), error);
}

bool MainWindow::save_to(const QString& path, QString* error) {
  const std::string failure = sc::save_scenario_file(path.toStdString(), fields_->document());
  if (!failure.empty()) {
    if (error) *error = QString::fromStdString(failure);
    return false;
  }
  path_ = QFileInfo(path).absoluteFilePath();
  saved_text_ = scenario_text();
  update_title();
  add_recent(path_);
  statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path_)), 4000);
  return true;
}

bool MainWindow::save() {
  if (path_.isEmpty()) return save_as();
  QString error;
  if (save_to(path_, &error)) return true;
  QMessageBox::critical(this, tr("Save failed"), error);
  return false;
}

bool MainWindow::save_as() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Save scenario"), path_.isEmpty() ? QStringLiteral("scenario.json") : path_,
      tr("Scenario files (*.json)"));
  if (path.isEmpty()) return false;
  QString error;
  if (save_to(path, &error)) return true;
  QMessageBox::critical(this, tr("Save failed"), error);
  return false;
}

void MainWindow::open_dialog() {
  if (is_modified()) {
    const auto answer =
        close_prompt_ ? close_prompt_()
                      : QMessageBox::question(
                            this, tr("Unsaved changes"),
                            tr("Save the changes to %1 first?").arg(QFileInfo(path_).fileName()),
                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) return;
    if (answer == QMessageBox::Save && !save()) return;
  }
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open scenario"), path_.isEmpty() ? QString() : QFileInfo(path_).absolutePath(),
      tr("Scenario files (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!open_file(path, &error)) QMessageBox::critical(this, tr("Cannot open scenario"), error);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!is_modified()) {
    event->accept();
    return;
  }
  const auto answer =
      close_prompt_
          ? close_prompt_()
          : QMessageBox::question(
                this, tr("Unsaved changes"),
                tr("The scenario %1 has unsaved changes. Save them before closing?")
                    .arg(path_.isEmpty() ? tr("(untitled)") : QFileInfo(path_).fileName()),
                QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Discard || (answer == QMessageBox::Save && save()))
    event->accept();
  else
    event->ignore();
}

void MainWindow::update_title() {
  const QString name = path_.isEmpty() ? tr("untitled") : QFileInfo(path_).fileName();
  setWindowTitle(tr("%1[*] - Flopcast").arg(name));
  setWindowModified(is_modified());
}

QStringList MainWindow::recent_files() const {
  return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void MainWindow::add_recent(const QString& path) {
  QSettings settings;
  QStringList list = settings.value(QLatin1String(kRecentKey)).toStringList();
  list.removeAll(path);
  list.prepend(path);
  while (list.size() > kMaxRecent) list.removeLast();
  settings.setValue(QLatin1String(kRecentKey), list);
  rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
  recent_menu_->clear();
  const QStringList list = recent_files();
  for (int i = 0; i < list.size(); ++i) {
    const QString path = list[i];
    auto* action = recent_menu_->addAction(
        QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
    connect(action, &QAction::triggered, this, [this, path] {
      QString error;
      if (!open_file(path, &error)) QMessageBox::critical(this, tr("Cannot open scenario"), error);
    });
  }
  recent_menu_->setEnabled(!list.isEmpty());
}

void MainWindow::select_pointer(const QString& pointer) {
  const QModelIndex i = fields_->index_of(pointer, ScenarioFieldModel::kValueColumn);
  if (!i.isValid()) return;
  for (QModelIndex p = i.parent(); p.isValid(); p = p.parent()) form_->expand(p);
  form_->scrollTo(i);
  form_->setCurrentIndex(i);
}

// Groups always open; nested objects (model, moe, lora, ...) open when the file sets a key in them.
void MainWindow::expand_rows_with_values(const QModelIndex& parent) {
  for (int r = 0; r < fields_->rowCount(parent); ++r) {
    const QModelIndex i = fields_->index(r, 0, parent);
    if (fields_->rowCount(i) == 0) continue;
    if (!parent.isValid() || i.data(ScenarioFieldModel::HasValuesRole).toBool()) {
      form_->expand(i);
      expand_rows_with_values(i);
    }
  }
}

void MainWindow::schedule_run() { debounce_->start(); }

void MainWindow::start_run() {
  const QString origin =
      path_.isEmpty() ? QStringLiteral("untitled.json") : QFileInfo(path_).fileName();
  runner_->submit(scenario_text(), origin.toStdString());
}

void MainWindow::on_estimate(quint64, const sc::RunResult& result) {
  if (is_cancelled(result)) {
    status_->setText(tr("Cancelled: showing the last answer"));
    emit answer_updated();
    return;
  }
  if (result.ok) {
    // The answer's notes (what it rests on, what it could not say) are messages too, as the CLI's
    // table prints them under "notes:"; the goodput note is the time card's basis already.
    std::vector<sc::Diagnostic> shown = result.diagnostics;
    if (result.result.contains("notes") && result.result["notes"].is_array())
      for (const auto& n : result.result["notes"])
        if (n.is_string() && n.get<std::string>().rfind("goodput", 0) != 0) {
          sc::Diagnostic d;
          d.message = "note: " + n.get<std::string>();
          shown.push_back(std::move(d));
        }
    diagnostics_->set_diagnostics(std::move(shown), false);
  } else {
    diagnostics_->set_diagnostics(result.diagnostics, true);
  }
  if (result.ok) {
    fields_->set_diagnostics({});
    std::string error;
    if (auto k = kpis_from_result(result.result, &error)) {
      answer_ = *k;
      stale_ = false;
      status_->setText(tr("Up to date"));
    } else {
      stale_ = answer_.has_value();
      status_->setText(tr("The result lacks a value: %1").arg(QString::fromStdString(error)));
    }
  } else {
    fields_->set_diagnostics(result.diagnostics);  // inline, on the rows they name
    stale_ = answer_.has_value();
    const int n = static_cast<int>(result.diagnostics.size());
    status_->setText(answer_ ? tr("%n invalid input(s): showing the last valid answer", nullptr, n)
                             : tr("%n invalid input(s): no answer yet", nullptr, n));
  }
  show_answer();
  emit answer_updated();
}

void MainWindow::on_sweep(quint64, const sc::RunResult& result) {
  if (is_cancelled(result)) return;
  if (result.ok) {
    std::string error;
    auto points = sweep_from_result(result.result, &error);
    if (!points.empty()) {
      chart_->set_points(points, answer_ ? std::optional<double>(answer_->gpus) : std::nullopt);
      chart_->set_message({});
    } else {
      chart_->set_message(QString::fromStdString(error));
    }
  } else if (!chart_->time_points().isEmpty()) {
    chart_->set_message(tr("showing the last valid answer"));
  } else {
    chart_->set_message(tr("no answer yet: see Messages"));
  }
  emit chart_updated();
}

void MainWindow::show_answer() {
  if (!answer_) {
    for (auto* card : cards_) card->set(QStringLiteral("-"), tr("no answer yet"), false);
    summary_->setText(tr("Open a scenario or edit a field; the answer follows every change."));
    return;
  }
  const Kpis& k = *answer_;
  const QString note = stale_ ? tr("last valid answer") : QString();
  auto detail = [&](const QString& d) { return stale_ ? note : d; };
  QString speed = k.tokens_per_s_per_gpu ? tr("%1 tokens/s per GPU").arg(format_number(*k.tokens_per_s_per_gpu))
                 : k.samples_per_s_per_gpu
                     ? tr("%1 samples/s per GPU").arg(format_number(*k.samples_per_s_per_gpu))
                     : QString();
  if (k.wall_time_p10_h && k.wall_time_p90_h) {
    const QString range = tr("P10\u2013P90 %1 \u2013 %2").arg(format_hours(*k.wall_time_p10_h), format_hours(*k.wall_time_p90_h));
    speed = speed.isEmpty() ? range : range + QStringLiteral("\n") + speed;
  }
  cards_[0]->set(format_hours(k.wall_time_h), detail(speed), stale_);
  QString gpuh = tr("on %1 GPUs").arg(format_count(k.gpus));
  if (k.gpu_hours_p10 && k.gpu_hours_p90)
    gpuh = tr("P10\u2013P90 %1 \u2013 %2").arg(format_number(*k.gpu_hours_p10), format_number(*k.gpu_hours_p90)) +
           QStringLiteral("\n") + gpuh;
  cards_[1]->set(format_number(k.gpu_hours), detail(gpuh), stale_);
  QString cost = k.energy_mwh ? tr("GPU rental + electricity") : tr("GPU rental (energy unknown)");
  if (k.cost_p10_usd && k.cost_p90_usd)
    cost = tr("P10\u2013P90 %1 \u2013 %2").arg(format_usd(*k.cost_p10_usd), format_usd(*k.cost_p90_usd)) +
           QStringLiteral("\n") + cost;
  if (k.cost_usd)
    cards_[2]->set(format_usd(*k.cost_usd), detail(cost), stale_);
  else
    cards_[2]->set(tr("not priced"), detail(tr("set a price per GPU-hour")), stale_);
  QString energy = tr("including PUE");
  if (k.energy_p10_mwh && k.energy_p90_mwh) {
    // "7.18 – 19.1 kWh": the unit once when both ends share it (the card is narrow).
    QString lo = format_energy_mwh(*k.energy_p10_mwh);
    const QString hi = format_energy_mwh(*k.energy_p90_mwh);
    const qsizetype unit_at = hi.lastIndexOf(QLatin1Char(' '));
    if (unit_at > 0 && lo.endsWith(hi.mid(unit_at))) lo.chop(hi.size() - unit_at);
    energy = tr("P10\u2013P90 %1 \u2013 %2").arg(lo, hi) + QStringLiteral("\n") + energy;
  }
  if (k.energy_mwh)
    cards_[3]->set(format_energy_mwh(*k.energy_mwh), detail(energy), stale_);
  else
    cards_[3]->set(tr("unknown"), detail(tr("device power unknown")), stale_);
  QString summary = tr("%1 GPUs").arg(format_count(k.gpus));
  if (!k.device.empty()) summary += QStringLiteral(" x ") + QString::fromStdString(k.device);
  if (!k.layout.empty()) summary += tr(", layout %1").arg(QString::fromStdString(k.layout));
  if (k.mfu) summary += tr(", MFU %1%").arg(format_number(*k.mfu * 100.0));
  if (k.memory_fit == "no" && k.memory_gib && k.capacity_gib)
    summary += tr(" \u2014 does not fit in memory: %1 of %2 GiB per GPU (more GPUs, recompute or "
                  "sharding)")
                   .arg(format_number(*k.memory_gib), format_number(*k.capacity_gib));
  if (stale_) summary += tr(" (inputs invalid: this is the last valid answer)");
  summary_->setText(summary);
}

}  // namespace flopcast::gui
