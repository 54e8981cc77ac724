// The GUI's item models under QAbstractItemModelTester, the form's text <-> JSON rules, the
// number formatting, and the chart layer (points replaced, units on the axes).
#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <QtTest>
#include <functional>

#include <QChartView>

#include "gui/charts/sweep_chart.h"
#include "gui/format.h"
#include "gui/models/diagnostic_model.h"
#include "gui/models/field_model.h"
#include "scenarios/key_table.h"

using flopcast::gui::DiagnosticModel;
using flopcast::gui::ScenarioFieldModel;
using nlohmann::ordered_json;
namespace sc = flopcast::scenarios;

class TestGuiModels : public QObject {
  Q_OBJECT

 private slots:
  void field_model_covers_the_key_table() {
    ScenarioFieldModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.rowCount() >= 3);  // workload, hardware, costs at least
    QVERIFY(model.field_count() > 10);
    // Every key row is a key of the table, with its unit; every key of the form is reachable.
    int reached = 0;
    std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
      for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        if (!i.data(ScenarioFieldModel::IsFieldRole).toBool()) {
          QVERIFY(model.rowCount(i) > 0);  // no empty group or object rows
          walk(i);
          continue;
        }
        ++reached;
        const QString pointer = i.data(ScenarioFieldModel::PointerRole).toString();
        const sc::KeySpec* spec = sc::find_key(pointer.toStdString());
        QVERIFY2(spec, qPrintable(pointer));
        QCOMPARE(model.index(r, ScenarioFieldModel::kUnitColumn, parent).data().toString(),
                 QString::fromStdString(spec->unit));
        QVERIFY(pointer.endsWith(QLatin1Char('/') + i.data().toString()));  // labelled by its key
        QVERIFY(!i.data(Qt::ToolTipRole).toString().isEmpty());
        QCOMPARE(model.index_of(pointer, 0), i);
        QVERIFY(model.rowCount(i) == 0);
      }
    };
    walk({});
    QCOMPARE(reached, model.field_count());
    for (const char* p :
         {"/hardware/device_count", "/workload/training_tokens", "/costs/usd_per_gpu_hour"})
      QVERIFY2(model.index_of(QString::fromLatin1(p)).isValid(), p);
  }

  void field_model_edits_the_document() {
    ScenarioFieldModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.set_document(
        ordered_json::parse(R"({"hardware": {"device": "h100-sxm", "device_count": 8}})"));
    QCOMPARE(model.value_text("/hardware/device_count"), QStringLiteral("8"));
    QSignalSpy edited(&model, &ScenarioFieldModel::edited);
    const QModelIndex count = model.index_of("/hardware/device_count");
    QVERIFY(model.setData(count, QStringLiteral("64")));
    QCOMPARE(edited.count(), 1);
    QCOMPARE(model.document()["hardware"]["device_count"], ordered_json(64));
    QVERIFY(model.setData(count, QStringLiteral("64")));  // same value: no edit
    QCOMPARE(edited.count(), 1);
    // Text that is not a number stays text: the validator, not the form, rejects it.
    QVERIFY(model.setData(count, QStringLiteral("sixty")));
    QCOMPARE(model.document()["hardware"]["device_count"], ordered_json("sixty"));
    QVERIFY(model.setData(count, QStringLiteral("1.5e3")));
    QCOMPARE(model.document()["hardware"]["device_count"], ordered_json(1500.0));
    // Empty text removes the key (the default applies) and the value shows as default.
    QVERIFY(model.setData(count, QString()));
    QVERIFY(!model.document()["hardware"].contains("device_count"));
    QVERIFY(model.data(count, ScenarioFieldModel::IsDefaultRole).toBool());
    // A key under an absent section creates the section.
    QVERIFY(model.set_value_text("/costs/usd_per_gpu_hour", QStringLiteral("2.5")));
    QCOMPARE(model.document()["costs"]["usd_per_gpu_hour"], ordered_json(2.5));
    // Only the value column is editable; group rows are not.
    QVERIFY(!(model.flags(model.index_of("/hardware/device_count", 0)) & Qt::ItemIsEditable));
    QVERIFY(!(model.flags(model.index(0, 0)) & Qt::ItemIsEditable));
    QVERIFY(!model.setData(model.index(0, 0), QStringLiteral("x")));
  }

  void field_model_shows_messages_inline() {
    ScenarioFieldModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.set_document(ordered_json::parse(R"({"hardware": {"device_count": 0}})"));
    const std::vector<sc::Diagnostic> diags = {
        {"a.json", "/hardware/device_count", 3, 5, "expected an integer >= 1, got 0"},
        {"a.json", "", 0, 0, "something about the whole document"}};
    QCOMPARE(model.set_diagnostics(diags), 1);
    const QModelIndex note =
        model.index_of("/hardware/device_count", ScenarioFieldModel::kNoteColumn);
    QCOMPARE(note.data().toString(), QStringLiteral("expected an integer >= 1, got 0"));
    QCOMPARE(note.data(ScenarioFieldModel::MessageRole).toString(), note.data().toString());
    QCOMPARE(model.set_diagnostics({}), 0);
    QVERIFY(note.data(ScenarioFieldModel::MessageRole).toString().isEmpty());
  }

  void enumerations_offer_their_choices() {
    ScenarioFieldModel model;
    for (const auto& spec : sc::scenario_keys()) {
      if (spec.type != sc::KeyType::enumeration) continue;
      const QModelIndex i = model.index_of(QString::fromStdString(spec.pointer));
      if (!i.isValid()) continue;
      QCOMPARE(i.data(ScenarioFieldModel::ChoicesRole).toStringList().size(),
               static_cast<qsizetype>(spec.choices.size()));
      return;
    }
    QFAIL("the key table has no enumeration in the form");
  }

  void text_json_round_trip() {
    sc::KeySpec integer;
    integer.type = sc::KeyType::integer;
    bool remove = false;
    QCOMPARE(flopcast::gui::json_from_text(integer, QStringLiteral(" 42 "), &remove),
             ordered_json(42));
    QVERIFY(!remove);
    sc::KeySpec number;
    number.type = sc::KeyType::number;
    for (double v : {0.1, 1.5e13, 2.0, 123456.789, 3e-7}) {
      const QString text = flopcast::gui::text_from_json(ordered_json(v));
      QCOMPARE(flopcast::gui::json_from_text(number, text, &remove).get<double>(), v);
    }
    sc::KeySpec list;
    list.type = sc::KeyType::array;
    list.item_type = sc::KeyType::string;
    const ordered_json targets = ordered_json::array({"q_proj", "v_proj"});
    QCOMPARE(flopcast::gui::text_from_json(targets), QStringLiteral("q_proj, v_proj"));
    QCOMPARE(flopcast::gui::json_from_text(list, QStringLiteral("q_proj, v_proj"), &remove),
             targets);
  }

  void diagnostic_model() {
    DiagnosticModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    sc::Diagnostic d{"a.json", "/hardware/device_count", 3, 5, "expected an integer >= 1"};
    model.set_diagnostics({d, {"a.json", "", 0, 0, "second"}}, true);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), QString::fromStdString(d.to_string()));
    QCOMPARE(model.index(0, 0).data(DiagnosticModel::PointerRole).toString(),
             QStringLiteral("/hardware/device_count"));
    QVERIFY(model.index(0, 0).data(DiagnosticModel::IsErrorRole).toBool());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
  }

  void formatting() {
    using namespace flopcast::gui;
    QCOMPARE(format_number(1234567), QStringLiteral("1,230,000"));
    QCOMPARE(format_number(0.01234), QStringLiteral("0.0123"));
    QCOMPARE(format_number(5), QStringLiteral("5.00"));
    QCOMPARE(format_hours(0.5), QStringLiteral("30.0 min"));
    QCOMPARE(format_hours(5), QStringLiteral("5.00 h"));
    QCOMPARE(format_hours(300), QStringLiteral("12.5 days"));
    QCOMPARE(format_usd(1234), QStringLiteral("$1,230"));
    QCOMPARE(format_usd(2.5e6), QStringLiteral("$2.50 M"));
    QCOMPARE(format_energy_mwh(0.0123), QStringLiteral("12.3 kWh"));
    QCOMPARE(format_energy_mwh(4560), QStringLiteral("4.56 GWh"));
    QCOMPARE(format_number(std::numeric_limits<double>::quiet_NaN()), QStringLiteral("-"));
  }

  void chart_replaces_points_with_units() {
    flopcast::gui::SweepChart chart;
    chart.resize(600, 400);
    std::vector<flopcast::gui::SweepPoint> points;
    for (double g : {64.0, 8.0, 16.0, 32.0})  // unsorted on purpose
      points.push_back({g, 4096.0 / g, 1000.0 * (1 + g / 64)});
    chart.set_points(points, 16.0);
    const QList<QPointF> t = chart.time_points();
    QCOMPARE(t.size(), 4);
    QCOMPARE(t.front().x(), 8.0);                         // sorted by GPU count
    QCOMPARE(chart.time_unit(), QStringLiteral("days"));  // 512 h max -> days
    QCOMPARE(t.front().y(), 512.0 / 24.0);
    QCOMPARE(chart.cost_unit(), QStringLiteral("USD"));
    // Non-finite or non-positive points are left out, never plotted.
    points.push_back({0.0, 1.0, 1.0});
    points.push_back({128.0, std::numeric_limits<double>::infinity(), 1.0});
    chart.set_points(points, std::nullopt);
    QCOMPARE(chart.time_points().size(), 4);
    chart.set_points({}, std::nullopt);
    QCOMPARE(chart.time_points().size(), 0);
  }

  void chart_shades_the_time_band() {
    flopcast::gui::SweepChart chart;
    chart.resize(600, 400);
    std::vector<flopcast::gui::SweepPoint> points;
    for (double g : {8.0, 16.0, 32.0}) points.push_back({g, 48.0 / g, 100.0, 0.5 * 48.0 / g, 2.0 * 48.0 / g});
    chart.set_points(points, 8.0);
    QCOMPARE(chart.band_low_points().size(), 3);
    QCOMPARE(chart.band_high_points().size(), 3);
    QCOMPARE(chart.band_low_points().front(), QPointF(8.0, 3.0));
    QCOMPARE(chart.band_high_points().front(), QPointF(8.0, 12.0));
    QVERIFY(chart.view()->accessibleDescription().contains(QStringLiteral("P10-P90")));
    // a point without a band (or a band that does not hold its time): no band at all
    points.push_back({64.0, 0.75, 100.0});
    chart.set_points(points, 8.0);
    QCOMPARE(chart.band_low_points().size(), 0);
    QCOMPARE(chart.time_points().size(), 4);
    points.back() = {64.0, 0.75, 100.0, 1.0, 2.0};  // P10 above the time
    chart.set_points(points, 8.0);
    QCOMPARE(chart.band_high_points().size(), 0);
  }
};

QTEST_MAIN(TestGuiModels)
#include "test_gui_models.moc"
