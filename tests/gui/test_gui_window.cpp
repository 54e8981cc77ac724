// The window end to end, headless: open the shipped default scenario, change the GPU count
// through the form's editor and see the time change (the number equal to what the runner gives
// for the same text); an invalid value shows the validator's message (the CLI's) and keeps the
// last valid answer; save -> open round-trips byte for byte; the unsaved-changes marker and the
// close prompt; the latest request wins.
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChartView>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>
#include <cmath>

#include "gui/charts/sweep_chart.h"
#include "gui/format.h"
#include "gui/live_runner.h"
#include "gui/main_window.h"
#include "gui/models/diagnostic_model.h"
#include "gui/models/field_model.h"
#include "gui/result_values.h"
#include "scenarios/runner.h"

using flopcast::gui::MainWindow;
using flopcast::gui::ScenarioFieldModel;
namespace sc = flopcast::scenarios;

namespace {

const QString kDefault = QStringLiteral(FLOPCAST_SOURCE_DIR "/scenarios/examples/default.json");
const QString kCount = QStringLiteral("/hardware/device_count");
constexpr int kWaitMs = 20000;

QByteArray read_all(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

sc::RunResult run_directly(const std::string& text, const std::string& origin) {
  sc::RunRequest request;
  request.job = sc::Job::estimate;
  request.scenario_text = text;
  request.origin = origin;
  std::atomic<bool> cancel{false};
  return sc::run(request, {}, cancel);
}

}  // namespace

class TestGuiWindow : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("flopcast-test"));
    QCoreApplication::setApplicationName(QStringLiteral("test_gui_window"));
    QVERIFY2(QFile::exists(kDefault), qPrintable(kDefault));
  }

  // Scenarios of model-library presets (a CNN, an encoder) open, answer and chart like decoders ...
  void open_model_library_examples() {
    // ... and a ViT shape of its own, as `flopcast import hf` writes it (no preset).
    for (const char* name :
         {"scenarios/examples/resnet50-8gpu.json", "scenarios/examples/bert-large-8gpu.json",
          "tests/scenarios/data/vit-l16-imported.json"}) {
      const QString path = QStringLiteral(FLOPCAST_SOURCE_DIR "/") + QString::fromLatin1(name);
      MainWindow w;
      QString error;
      QVERIFY2(w.open_file(path, &error), qPrintable(error));
      w.resize(1200, 800);
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QTRY_VERIFY_WITH_TIMEOUT(w.idle(), kWaitMs);
      QVERIFY2(w.answer().has_value(), qPrintable(w.statusBar()->currentMessage()));
      const sc::RunResult direct = run_directly(read_all(path).toStdString(), name);
      QVERIFY(direct.ok);
      QCOMPARE(w.answer()->wall_time_h, direct.result["metrics"]["wall_time_h"].get<double>());
      QVERIFY(w.answer()->samples_per_s_per_gpu.has_value());
      QTRY_VERIFY_WITH_TIMEOUT(!w.chart()->time_points().isEmpty(), kWaitMs);
    }
  }

  void open_default_and_change_gpu_count() {
    MainWindow w;
    QAbstractItemModelTester fields(w.field_model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester messages(w.diagnostic_model(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
    QString error;
    QVERIFY2(w.open_file(kDefault, &error), qPrintable(error));
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle(), kWaitMs);
    QVERIFY2(w.answer().has_value(), qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(!w.answer_is_stale());
    QVERIFY(!w.is_modified());
    QVERIFY(!w.chart()->time_points().isEmpty());
    const double time0 = w.answer()->wall_time_h;
    const QString shown0 = w.kpi_text(0);
    QVERIFY(time0 > 0);

    // Type a new GPU count into the form's editor, as a person would.
    const QModelIndex count = w.field_model()->index_of(kCount);
    QVERIFY(count.isValid());
    const int gpus0 = count.data(Qt::EditRole).toString().toInt();
    QVERIFY(gpus0 > 0);
    const int gpus1 = gpus0 * 4;
    w.form_view()->setCurrentIndex(count);  // opens the editor (edit trigger: current changed)
    if (!w.form_view()->indexWidget(count)) w.form_view()->edit(count);
    auto* editor = qobject_cast<QLineEdit*>(w.form_view()->indexWidget(count));
    QVERIFY(editor);
    editor->selectAll();
    QTest::keyClicks(editor, QString::number(gpus1));
    QTest::keyClick(editor, Qt::Key_Return);
    QCOMPARE(w.field_model()->value_text(kCount), QString::number(gpus1));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer() && w.answer()->gpus == gpus1, kWaitMs);
    QVERIFY(!w.answer_is_stale());
    QVERIFY(w.answer()->wall_time_h < time0);  // 4x the GPUs: less time
    QVERIFY(w.kpi_text(0) != shown0);
    // The number shown is the runner's, for exactly the scenario on screen.
    const auto direct = run_directly(w.scenario_text(), "default.json");
    QVERIFY(direct.ok);
    const auto kpis = flopcast::gui::kpis_from_result(direct.result, nullptr);
    QVERIFY(kpis);
    QCOMPARE(w.answer()->wall_time_h, kpis->wall_time_h);
    QCOMPARE(w.answer()->gpu_hours, kpis->gpu_hours);
    QCOMPARE(w.answer()->energy_mwh, kpis->energy_mwh);
    // The time card says how sure it is: the runner's P10-P90 band, around the value shown.
    QVERIFY(kpis->wall_time_p10_h && kpis->wall_time_p90_h);
    QVERIFY(*kpis->wall_time_p10_h < kpis->wall_time_h && kpis->wall_time_h < *kpis->wall_time_p90_h);
    QCOMPARE(*kpis->wall_time_p10_h, direct.result["bands"]["p10"]["wall_time_h"].get<double>());
    // The chart shades the same band around each GPU count's time (the sweep's P10/P90).
    QTRY_VERIFY_WITH_TIMEOUT(!w.chart()->band_low_points().isEmpty(), kWaitMs);
    QCOMPARE(w.chart()->band_low_points().size(), w.chart()->time_points().size());
    for (int i = 0; i < w.chart()->time_points().size(); ++i)
      QVERIFY(w.chart()->band_low_points()[i].y() < w.chart()->time_points()[i].y() &&
              w.chart()->time_points()[i].y() < w.chart()->band_high_points()[i].y());
    QVERIFY(kpis->gpu_hours_p10 && kpis->cost_p90_usd);
    QVERIFY2(w.kpi_detail(1).contains(flopcast::gui::format_number(*kpis->gpu_hours_p10)), qPrintable(w.kpi_detail(1)));
    QVERIFY2(w.kpi_detail(2).contains(flopcast::gui::format_usd(*kpis->cost_p90_usd)), qPrintable(w.kpi_detail(2)));
    // Energy is the widest band (power draw and PUE on top of the run's spread).
    QVERIFY(kpis->energy_p10_mwh && kpis->energy_p90_mwh);
    QVERIFY(*kpis->energy_p10_mwh < kpis->energy_mwh && kpis->energy_mwh < *kpis->energy_p90_mwh);
    QVERIFY(*kpis->energy_p90_mwh / *kpis->energy_p10_mwh >
            *kpis->wall_time_p90_h / *kpis->wall_time_p10_h);
    QVERIFY2(w.kpi_detail(3).contains(flopcast::gui::format_energy_mwh(*kpis->energy_p90_mwh)),
             qPrintable(w.kpi_detail(3)));
    {  // the low end, without its unit when the high end has the same one
      QString lo = flopcast::gui::format_energy_mwh(*kpis->energy_p10_mwh);
      lo.truncate(lo.lastIndexOf(QLatin1Char(' ')));
      QVERIFY2(w.kpi_detail(3).contains(QStringLiteral("P10\u2013P90 ") + lo),
               qPrintable(w.kpi_detail(3)));
    }
    QVERIFY2(w.kpi_detail(0).contains(flopcast::gui::format_hours(*kpis->wall_time_p10_h)) &&
                 w.kpi_detail(0).contains(flopcast::gui::format_hours(*kpis->wall_time_p90_h)),
             qPrintable(w.kpi_detail(0)));
    // The chart marks the current GPU count.
    QVERIFY(w.is_modified());
    QVERIFY(w.isWindowModified());
    QVERIFY(w.windowTitle().contains(QStringLiteral("[*]")));
    w.set_close_prompt([] { return QMessageBox::Discard; });
  }

  void a_scenario_that_does_not_fit_says_so_and_the_chart_marks_those_counts() {
    MainWindow w;
    QVERIFY(w.open_file(kDefault));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer(), kWaitMs);
    QVERIFY(!w.summary_text().contains(QStringLiteral("does not fit")));
    QVERIFY(w.chart()->no_fit_points().isEmpty());
    // Llama 3 70B on the default's 8 GPUs: its weights, gradients and Adam state alone need more.
    QVERIFY(w.field_model()->set_value_text(QStringLiteral("/workload/model/preset"),
                                            QStringLiteral("llama3-70b")));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer() && w.answer()->memory_fit == "no", kWaitMs);
    QVERIFY2(w.summary_text().contains(QStringLiteral("does not fit in memory")),
             qPrintable(w.summary_text()));
    QVERIFY(w.answer()->memory_gib && w.answer()->capacity_gib &&
            *w.answer()->memory_gib > *w.answer()->capacity_gib);
    QVERIFY2(w.summary_text().contains(flopcast::gui::format_number(*w.answer()->memory_gib)),
             qPrintable(w.summary_text()));
    // The chart's curves hold only the GPU counts where a layout fits; the others are marked apart.
    QTRY_VERIFY_WITH_TIMEOUT(!w.chart()->no_fit_points().isEmpty(), kWaitMs);
    QVERIFY(!w.chart()->time_points().isEmpty());  // enough GPUs do fit
    bool own_count_marked = false;
    for (const auto& nf : w.chart()->no_fit_points()) {
      own_count_marked = own_count_marked || nf.x() == w.answer()->gpus;
      for (const auto& p : w.chart()->time_points()) QVERIFY(nf.x() < p.x());  // more GPUs: it fits
    }
    QVERIFY(own_count_marked);
    QVERIFY(w.chart()->view()->accessibleDescription().contains(
        QStringLiteral("does not fit in memory")));
    w.set_close_prompt([] { return QMessageBox::Discard; });
  }

  void a_device_of_unknown_power_shows_energy_unknown_not_zero() {
    MainWindow w;
    QVERIFY(w.open_file(kDefault));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer(), kWaitMs);
    QVERIFY(w.answer()->energy_mwh && *w.answer()->energy_mwh > 0);
    // The TPU v5e's power is not published: the answer still comes, its energy says unknown
    // (it used to read "0 kWh") and the cost card says the electricity is not in it.
    QVERIFY(w.field_model()->set_value_text(QStringLiteral("/hardware/device"),
                                            QStringLiteral("google-tpu-v5e")));
    QTRY_VERIFY_WITH_TIMEOUT(
        w.idle() && w.answer() && w.answer()->device.find("v5e") != std::string::npos, kWaitMs);
    QVERIFY(!w.answer()->energy_mwh);
    QCOMPARE(w.kpi_text(3), tr("unknown"));
    QVERIFY2(w.kpi_detail(3).contains(QStringLiteral("power unknown")),
             qPrintable(w.kpi_detail(3)));
    QVERIFY2(w.kpi_detail(2).contains(QStringLiteral("energy unknown")),
             qPrintable(w.kpi_detail(2)));
    // ... and the Messages list carries the answer's note, as the CLI table prints it.
    bool noted = false;
    for (int i = 0; i < w.diagnostic_model()->rowCount(); ++i)
      noted = noted || w.diagnostic_model()->index(i).data().toString().contains(
                           QStringLiteral("note: energy"));
    QVERIFY(noted);
    QVERIFY(!w.diagnostic_model()->errors());
    w.set_close_prompt([] { return QMessageBox::Discard; });
  }

  void invalid_value_shows_the_cli_message_and_keeps_the_answer() {
    MainWindow w;
    QAbstractItemModelTester fields(w.field_model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester messages(w.diagnostic_model(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(w.open_file(kDefault));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer(), kWaitMs);
    const auto before = *w.answer();
    const QString shown = w.kpi_text(0);
    const int points = static_cast<int>(w.chart()->time_points().size());

    QVERIFY(w.field_model()->set_value_text(kCount, QStringLiteral("-3")));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer_is_stale(), kWaitMs);
    // The last valid answer stays, marked stale.
    QCOMPARE(w.answer()->wall_time_h, before.wall_time_h);
    QCOMPARE(w.kpi_text(0), shown);
    QCOMPARE(static_cast<int>(w.chart()->time_points().size()), points);
    // The messages are the runner's, exactly as the CLI prints them.
    const auto direct = run_directly(w.scenario_text(), "default.json");
    QVERIFY(!direct.ok);
    QCOMPARE(w.diagnostic_model()->rowCount(), static_cast<int>(direct.diagnostics.size()));
    bool inline_found = false;
    for (int i = 0; i < static_cast<int>(direct.diagnostics.size()); ++i) {
      const auto& d = direct.diagnostics[static_cast<std::size_t>(i)];
      QCOMPARE(w.diagnostic_model()->index(i, 0).data().toString(),
               QString::fromStdString(d.to_string()));
      if (d.pointer == kCount.toStdString()) {
        const QModelIndex note = w.field_model()->index_of(kCount, ScenarioFieldModel::kNoteColumn);
        QVERIFY(note.data().toString().contains(QString::fromStdString(d.message)));
        inline_found = true;
      }
    }
    QVERIFY2(inline_found, "no diagnostic names /hardware/device_count");

    // Fixing the value brings a fresh answer and clears the inline message.
    QVERIFY(w.field_model()->set_value_text(kCount, QString::number(before.gpus)));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && !w.answer_is_stale(), kWaitMs);
    QCOMPARE(w.answer()->wall_time_h, before.wall_time_h);
    QVERIFY(w.field_model()
                ->index_of(kCount)
                .data(ScenarioFieldModel::MessageRole)
                .toString()
                .isEmpty());
    QVERIFY(!w.is_modified());  // back to the value on disk: no unsaved changes
  }

  // /simulation/goodput from the form: "auto" (the default) vs a number typed in, vs "auto" typed back.
  void goodput_typed_in_the_form_changes_the_wall_time_only() {
    MainWindow w;
    QVERIFY(w.open_file(kDefault));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer(), kWaitMs);
    const auto automatic = *w.answer();
    const auto direct = run_directly(w.scenario_text(), "default.json");
    QVERIFY(direct.ok);
    const double g = direct.result["efficiency"]["goodput"].get<double>();
    QVERIFY(g < 0.9);  // g0 x interruptions: a whole run is not all useful steps
    const QString key = QStringLiteral("/simulation/goodput");
    QVERIFY(w.field_model()->set_value_text(key, QStringLiteral("1")));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer() && w.answer()->wall_time_h != automatic.wall_time_h, kWaitMs);
    QVERIFY(!w.answer_is_stale());
    // compute time only: the same steps, g times the wall time
    QVERIFY(std::fabs(w.answer()->wall_time_h - automatic.wall_time_h * g) < 1e-9 * automatic.wall_time_h);
    QCOMPARE(*w.answer()->tokens_per_s_per_gpu, *automatic.tokens_per_s_per_gpu);
    QVERIFY(w.field_model()->set_value_text(key, QStringLiteral("auto")));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer() && w.answer()->wall_time_h == automatic.wall_time_h, kWaitMs);
    QVERIFY(w.field_model()->set_value_text(key, QStringLiteral("2")));  // out of range: the runner's message
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer_is_stale(), kWaitMs);
    QVERIFY(w.field_model()->index_of(key).data(ScenarioFieldModel::MessageRole).toString().contains(
        QStringLiteral("expected \"auto\" or a number")));
  }

  void save_then_open_round_trips_byte_identically() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString a = dir.filePath(QStringLiteral("a.json"));
    const QString b = dir.filePath(QStringLiteral("b.json"));
    MainWindow w;
    QVERIFY(w.open_file(kDefault));
    QVERIFY(w.field_model()->set_value_text(kCount, QStringLiteral("96")));
    QVERIFY(w.is_modified());
    QString error;
    QVERIFY2(w.save_to(a, &error), qPrintable(error));
    QVERIFY(!w.is_modified());
    QVERIFY(!w.isWindowModified());
    const QByteArray saved = read_all(a);
    QVERIFY(!saved.isEmpty());
    QCOMPARE(saved.toStdString(), w.scenario_text());
    QCOMPARE(w.recent_files().value(0), QFileInfo(a).absoluteFilePath());

    MainWindow w2;
    QVERIFY2(w2.open_file(a, &error), qPrintable(error));
    QVERIFY(!w2.is_modified());
    QCOMPARE(w2.field_model()->value_text(kCount), QStringLiteral("96"));
    QVERIFY2(w2.save_to(b, &error), qPrintable(error));
    QCOMPARE(read_all(b), saved);
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w2.idle(), kWaitMs);
  }

  void unsaved_changes_prompt_on_close() {
    MainWindow w;
    QVERIFY(w.open_file(kDefault));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.close());  // unmodified: closes without asking
    w.show();
    QVERIFY(w.field_model()->set_value_text(kCount, QStringLiteral("72")));
    QVERIFY(w.isWindowModified());
    int asked = 0;
    w.set_close_prompt([&] {
      ++asked;
      return QMessageBox::Cancel;
    });
    QVERIFY(!w.close());
    QCOMPARE(asked, 1);
    QVERIFY(w.isVisible());
    w.set_close_prompt([&] {
      ++asked;
      return QMessageBox::Discard;
    });
    QVERIFY(w.close());
    QCOMPARE(asked, 2);
    QTRY_VERIFY_WITH_TIMEOUT(w.idle(), kWaitMs);
  }

  void unreadable_files_are_refused_with_one_line() {
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("{\n  \"hardware\": {\n    \"device_count\": 8,,\n  }\n}\n");
    }
    MainWindow w;
    QVERIFY(w.open_file(kDefault));
    const std::string before = w.scenario_text();
    QString error;
    QVERIFY(!w.open_file(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("bad.json")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(!w.open_file(dir.filePath(QStringLiteral("missing.json")), &error));
    QVERIFY(error.contains(QStringLiteral("missing.json")));
    QCOMPARE(w.scenario_text(), before);  // the window keeps what it had
    QTRY_VERIFY_WITH_TIMEOUT(w.idle(), kWaitMs);
  }

  // File > Import Hugging Face config: the model of a config.json replaces the scenario's, the
  // answer is recomputed (the runner's, for exactly the text on screen), the scenario shows as
  // modified; a bad config changes nothing and says why in one line.
  void import_hf_config_replaces_the_model() {
    MainWindow w;
    QString error;
    QVERIFY2(w.open_file(kDefault, &error), qPrintable(error));
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer().has_value(), kWaitMs);
    const double time0 = w.answer()->wall_time_h;
    // The default scenario takes GPT-2 small's 1,024 tokens from its preset.
    QVERIFY(w.field_model()->value_text(QStringLiteral("/workload/seq_len")).isEmpty());
    const QString seq0 = QStringLiteral("1024");
    const QString qwen = QStringLiteral(FLOPCAST_SOURCE_DIR "/tests/data/hf/qwen2-7b.json");
    QVERIFY2(w.import_hf(qwen, &error), qPrintable(error));
    QVERIFY(w.is_modified());
    QCOMPARE(w.field_model()->value_text(QStringLiteral("/workload/model/d_model")),
             QStringLiteral("3584"));
    QCOMPARE(w.field_model()->value_text(QStringLiteral("/workload/model/n_kv_heads")),
             QStringLiteral("4"));
    // A decoder keeps the scenario's training length (the config's 131,072 is its longest context).
    QCOMPARE(w.field_model()->value_text(QStringLiteral("/workload/seq_len")), seq0);
    QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("qwen2-7b.json")));
    QTRY_VERIFY_WITH_TIMEOUT(w.idle() && w.answer().has_value(), kWaitMs);
    QVERIFY(!w.answer_is_stale());
    const auto direct = run_directly(w.scenario_text(), "imported.json");
    QVERIFY(direct.ok);
    const auto kpis = flopcast::gui::kpis_from_result(direct.result, nullptr);
    QVERIFY(kpis.has_value());
    QCOMPARE(w.answer()->wall_time_h, kpis->wall_time_h);
    QVERIFY(w.answer()->wall_time_h > time0);  // 7.6 B parameters instead of GPT-2 small's 124 M
    // A config it cannot map: one line naming the file and the key; the scenario is unchanged.
    const std::string before = w.scenario_text();
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("config.json"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("{\"model_type\": \"llama\", \"hidden_size\": 4096}\n");
    }
    QVERIFY(!w.import_hf(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("config.json: /num_hidden_layers")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QCOMPARE(w.scenario_text(), before);
    QTRY_VERIFY_WITH_TIMEOUT(w.idle(), kWaitMs);
  }

  void latest_request_wins() {
    QFile f(kDefault);
    QVERIFY(f.open(QIODevice::ReadOnly));
    auto doc = nlohmann::ordered_json::parse(f.readAll().toStdString());
    flopcast::gui::LiveRunner runner;
    QSignalSpy estimates(&runner, &flopcast::gui::LiveRunner::estimate_ready);
    QSignalSpy sweeps(&runner, &flopcast::gui::LiveRunner::sweep_ready);
    quint64 last = 0;
    for (int gpus : {8, 16, 32, 64, 128, 256}) {
      doc["hardware"]["device_count"] = gpus;
      last = runner.submit(doc.dump(2), "default.json");
    }
    QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), kWaitMs);
    QCOMPARE(estimates.count(), 1);  // older answers were cancelled or dropped, never shown
    QCOMPARE(sweeps.count(), 1);
    QCOMPARE(estimates.front().at(0).value<quint64>(), last);
    const auto result = estimates.front().at(1).value<sc::RunResult>();
    QVERIFY(result.ok);
    const auto kpis = flopcast::gui::kpis_from_result(result.result, nullptr);
    QVERIFY(kpis);
    QCOMPARE(kpis->gpus, 256.0);
    // The layout line names every axis above 1, the interleaved pipeline's virtual stages too.
    auto interleaved = result.result;
    interleaved["layout"]["pp"] = 4;
    interleaved["layout"]["vp"] = 5;
    const auto k2 = flopcast::gui::kpis_from_result(interleaved, nullptr);
    QVERIFY(k2);
    QVERIFY(k2->layout.find("pp=4 vp=5") != std::string::npos);

    // After invalidate(), nothing still on its way is shown.
    doc["hardware"]["device_count"] = 512;
    runner.submit(doc.dump(2), "default.json");
    runner.invalidate();
    QTRY_VERIFY_WITH_TIMEOUT(!runner.busy(), kWaitMs);
    QCOMPARE(estimates.count(), 1);
    QCOMPARE(sweeps.count(), 1);
  }
};

QTEST_MAIN(TestGuiWindow)
#include "test_gui_window.moc"
