// Time and cost against GPU count: the one chart of the first window.
//
// A thin layer over Qt Charts that takes plain values (no JSON, no engine types), so a later move
// to another chart library touches this folder only (Qt Charts is deprecated from Qt 6.10).
// Rules (anchors-gui.md §2): series and axes are created once; each update calls
// QXYSeries::replace() and sets the axis ranges; no animations; never OpenGL (it crashes under
// the offscreen platform).
#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

class QChart;
class QChartView;
class QAreaSeries;
class QLineSeries;
class QScatterSeries;
class QLogValueAxis;
class QValueAxis;

namespace flopcast::gui {

struct SweepPoint {
  double gpus = 0;
  double time_h = 0;    // wall-clock training time, hours
  double cost_usd = 0;  // total cost, US dollars
  double time_p10_h = 0;  // the time's P10-P90 band (0: none)
  double time_p90_h = 0;
  bool fits = true;  // false: no layout fits in device memory at this count (time of the leanest)
};

class SweepChart : public QWidget {
  Q_OBJECT

 public:
  explicit SweepChart(QWidget* parent = nullptr);

  // Replaces the curves. Points with a non-positive or non-finite GPU count, time or cost are
  // left out (log axes). Points that do not fit in memory are not part of the curves: they are
  // marked apart ("Does not fit in memory"). `current_gpus` marks the scenario's own GPU count.
  void set_points(const std::vector<SweepPoint>& points, std::optional<double> current_gpus);
  void set_message(const QString& text);  // shown under the title ("" clears)

  // For tests and the accessible description: what is plotted, in axis units.
  QList<QPointF> time_points() const;
  QList<QPointF> cost_points() const;
  QList<QPointF> band_low_points() const;   // the time band's P10 edge (empty without bands)
  QList<QPointF> band_high_points() const;  // and its P90 edge
  QList<QPointF> no_fit_points() const;     // counts where nothing fits (time of the leanest layout)
  QString time_unit() const { return time_unit_; }
  QString cost_unit() const { return cost_unit_; }
  QChartView* view() const { return view_; }

 private:
  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QLineSeries* time_series_ = nullptr;
  QLineSeries* band_low_ = nullptr;   // children of band_ (QAreaSeries does not own them)
  QLineSeries* band_high_ = nullptr;
  QAreaSeries* band_ = nullptr;       // P10-P90 of the training time
  QLineSeries* cost_series_ = nullptr;
  QScatterSeries* time_current_ = nullptr;
  QScatterSeries* cost_current_ = nullptr;
  QScatterSeries* no_fit_ = nullptr;  // GPU counts where no layout fits in memory
  QLogValueAxis* x_axis_ = nullptr;
  QLogValueAxis* time_axis_ = nullptr;
  QValueAxis* cost_axis_ = nullptr;
  QString time_unit_ = QStringLiteral("h");
  QString cost_unit_ = QStringLiteral("USD");
};

}  // namespace flopcast::gui
