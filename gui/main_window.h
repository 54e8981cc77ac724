// The Flopcast window: the scenario form (left), the answer (right: time, GPU-hours, cost,
// energy, and time/cost against GPU count), the validator's messages, open/save/recent files,
// an unsaved-changes marker and a prompt on close.
//
// Every number shown comes from flopcast::scenarios::run (through LiveRunner, off the UI
// thread); files are read and written through flopcast::scenarios' canonical serializer and
// atomic writer. When the inputs are invalid the messages show inline and the last valid answer
// stays on screen, marked as such.
#pragma once

#include <QMainWindow>
#include <QMessageBox>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <string>

#include "gui/result_values.h"
#include "scenarios/runner.h"

class QLabel;
class QListView;
class QMenu;
class QProgressBar;
class QTimer;
class QToolButton;
class QTreeView;

namespace flopcast::gui {

class DiagnosticModel;
class KpiCard;
class LiveRunner;
class ScenarioFieldModel;
class SweepChart;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a scenario file. On failure the window is unchanged and *error holds one line.
  bool open_file(const QString& path, QString* error = nullptr);
  // Replaces the scenario's model with a Hugging Face config.json's (flopcast import hf): the
  // model section, and the sample shape where the config gives one (a decoder keeps the scenario's
  // training seq_len; the config's is its longest context). On failure the scenario is unchanged
  // and *error holds the importer's one line (file, JSON pointer, what was expected).
  bool import_hf(const QString& path, QString* error = nullptr);
  // Saves the scenario to `path` atomically (through scenarios/) and makes it the current file.
  bool save_to(const QString& path, QString* error = nullptr);

  QString file_path() const { return path_; }
  bool is_modified() const;
  std::string scenario_text() const;  // the canonical text Save would write

  ScenarioFieldModel* field_model() const { return fields_; }
  DiagnosticModel* diagnostic_model() const { return diagnostics_; }
  SweepChart* chart() const { return chart_; }
  LiveRunner* runner() const { return runner_; }
  QTreeView* form_view() const { return form_; }

  // The answer on screen: the last valid one. `stale` is true while the inputs are invalid.
  const std::optional<Kpis>& answer() const { return answer_; }
  bool answer_is_stale() const { return stale_; }
  QString kpi_text(int card) const;  // 0 time, 1 GPU-hours, 2 cost, 3 energy: the shown text
  QString kpi_detail(int card) const;  // the line under it (the time card: P10-P90 band, speed)
  QString summary_text() const;        // the line under the cards (device, layout, MFU, memory fit)
  bool idle() const;                 // no request pending and none scheduled

  QStringList recent_files() const;

  // The close prompt (Save / Discard / Cancel); tests replace the dialog.
  using ClosePrompt = std::function<QMessageBox::StandardButton()>;
  void set_close_prompt(ClosePrompt prompt) { close_prompt_ = std::move(prompt); }

 signals:
  void answer_updated();  // an estimate result was handled (valid or not)
  void chart_updated();   // a sweep result was handled
  void became_idle();     // every request so far has been answered

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_ui();
  void build_actions();
  void schedule_run();
  void start_run();
  void on_estimate(quint64 generation, const flopcast::scenarios::RunResult& result);
  void on_sweep(quint64 generation, const flopcast::scenarios::RunResult& result);
  void show_answer();
  void update_title();
  void add_recent(const QString& path);
  void rebuild_recent_menu();
  bool save();
  bool save_as();
  void open_dialog();
  void import_dialog();
  void select_pointer(const QString& pointer);
  void expand_rows_with_values(const QModelIndex& parent);

  ScenarioFieldModel* fields_ = nullptr;
  DiagnosticModel* diagnostics_ = nullptr;
  LiveRunner* runner_ = nullptr;
  SweepChart* chart_ = nullptr;
  QTreeView* form_ = nullptr;
  QListView* messages_ = nullptr;
  KpiCard* cards_[4] = {};
  QLabel* summary_ = nullptr;
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QToolButton* cancel_button_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QTimer* debounce_ = nullptr;

  QString path_;
  std::string saved_text_;  // canonical text of the file as last opened or saved
  std::optional<Kpis> answer_;
  bool stale_ = false;
  ClosePrompt close_prompt_;
};

}  // namespace flopcast::gui
