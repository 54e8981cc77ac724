#include "gui/charts/sweep_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "gui/format.h"

namespace flopcast::gui {

namespace {

const QColor kTimeColor(0x1f, 0x77, 0xb4);
const QColor kCostColor(0xd6, 0x62, 0x0f);
const QColor kNoFitColor(0xb0, 0x1c, 0x2e);

bool usable(const SweepPoint& p) {
  return std::isfinite(p.gpus) && std::isfinite(p.time_h) && p.gpus > 0 && p.time_h > 0;
}

bool priced(const SweepPoint& p) { return std::isfinite(p.cost_usd) && p.cost_usd >= 0; }

// [lo, hi] padded and rounded outward so the curve never touches the frame.
std::pair<double, double> padded_range(double lo, double hi) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    return {lo - pad, hi + pad};
  }
  const double pad = (hi - lo) * 0.08;
  return {std::max(0.0, lo - pad), hi + pad};
}

}  // namespace

SweepChart::SweepChart(QWidget* parent) : QWidget(parent) {
  chart_ = new QChart;
  chart_->setAnimationOptions(QChart::NoAnimation);
  chart_->setTitle(tr("Training time and cost against GPU count"));
  chart_->legend()->setAlignment(Qt::AlignBottom);
  chart_->setMargins(QMargins(4, 4, 4, 4));

  band_low_ = new QLineSeries;
  band_high_ = new QLineSeries;
  band_ = new QAreaSeries(band_high_, band_low_);
  // QAreaSeries does not own its edge series (the chart owns only series added to it): parent them
  // to the area, which the chart deletes, so they go with it.
  band_low_->setParent(band_);
  band_high_->setParent(band_);
  band_->setName(tr("P10\u2013P90"));
  QColor fill = kTimeColor;
  fill.setAlphaF(0.15);
  band_->setBrush(fill);
  band_->setPen(Qt::NoPen);
  time_series_ = new QLineSeries;
  time_series_->setName(tr("Training time"));
  time_series_->setPen(QPen(kTimeColor, 2.5));
  cost_series_ = new QLineSeries;
  cost_series_->setName(tr("Cost"));
  cost_series_->setPen(QPen(kCostColor, 2.5, Qt::DashLine));
  time_current_ = new QScatterSeries;
  time_current_->setName(tr("This scenario"));
  time_current_->setMarkerSize(11);
  time_current_->setColor(kTimeColor);
  time_current_->setBorderColor(Qt::white);
  cost_current_ = new QScatterSeries;
  cost_current_->setMarkerSize(11);
  cost_current_->setColor(kCostColor);
  cost_current_->setBorderColor(Qt::white);
  no_fit_ = new QScatterSeries;
  no_fit_->setName(tr("Does not fit in memory"));
  no_fit_->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  no_fit_->setMarkerSize(9);
  no_fit_->setColor(Qt::white);
  no_fit_->setBorderColor(kNoFitColor);
  no_fit_->setPen(QPen(kNoFitColor, 2));

  chart_->addSeries(band_);  // first: drawn under the curves
  for (auto* s : {static_cast<QXYSeries*>(time_series_), static_cast<QXYSeries*>(cost_series_),
                  static_cast<QXYSeries*>(time_current_), static_cast<QXYSeries*>(cost_current_),
                  static_cast<QXYSeries*>(no_fit_)})
    chart_->addSeries(s);  // never setUseOpenGL: it crashes offscreen
  // One legend entry for the two markers.
  const auto markers = chart_->legend()->markers(cost_current_);
  for (auto* m : markers) m->setVisible(false);

  x_axis_ = new QLogValueAxis;
  x_axis_->setBase(2.0);
  x_axis_->setLabelFormat(QStringLiteral("%g"));
  x_axis_->setTitleText(tr("GPUs (count, log scale)"));
  x_axis_->setMinorTickCount(0);
  time_axis_ = new QLogValueAxis;  // time ~ 1/GPUs: a log scale keeps every point readable
  time_axis_->setBase(10.0);
  time_axis_->setMinorTickCount(8);
  time_axis_->setTitleText(tr("Training time (h, log scale)"));
  time_axis_->setLabelFormat(QStringLiteral("%g"));
  time_axis_->setLinePenColor(kTimeColor);
  time_axis_->setLabelsColor(kTimeColor);
  cost_axis_ = new QValueAxis;
  cost_axis_->setTitleText(tr("Cost (USD)"));
  cost_axis_->setLabelFormat(QStringLiteral("%.3g"));
  cost_axis_->setLinePenColor(kCostColor);
  cost_axis_->setLabelsColor(kCostColor);
  cost_axis_->setGridLineVisible(false);

  chart_->addAxis(x_axis_, Qt::AlignBottom);
  chart_->addAxis(time_axis_, Qt::AlignLeft);
  chart_->addAxis(cost_axis_, Qt::AlignRight);
  for (auto* s : {static_cast<QXYSeries*>(time_series_), static_cast<QXYSeries*>(time_current_),
                  static_cast<QXYSeries*>(no_fit_)}) {
    s->attachAxis(x_axis_);
    s->attachAxis(time_axis_);
  }
  band_->attachAxis(x_axis_);
  band_->attachAxis(time_axis_);
  for (auto* s : {static_cast<QXYSeries*>(cost_series_), static_cast<QXYSeries*>(cost_current_)}) {
    s->attachAxis(x_axis_);
    s->attachAxis(cost_axis_);
  }

  view_ = new QChartView(chart_, this);
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setAccessibleName(tr("Training time and cost against GPU count"));
  view_->setMinimumSize(360, 260);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_);
  set_points({}, std::nullopt);
}

void SweepChart::set_points(const std::vector<SweepPoint>& points,
                            std::optional<double> current_gpus) {
  std::vector<SweepPoint> ps, nofit;  // the curves; the counts where nothing fits in memory
  for (const auto& p : points)
    if (usable(p)) (p.fits ? ps : nofit).push_back(p);
  const auto by_gpus = [](const auto& a, const auto& b) { return a.gpus < b.gpus; };
  std::sort(ps.begin(), ps.end(), by_gpus);
  std::sort(nofit.begin(), nofit.end(), by_gpus);

  // The band is drawn only when every point has one around its time.
  const bool banded = !ps.empty() && std::all_of(ps.begin(), ps.end(), [](const SweepPoint& p) {
    return std::isfinite(p.time_p10_h) && std::isfinite(p.time_p90_h) && p.time_p10_h > 0 &&
           p.time_p10_h <= p.time_h && p.time_h <= p.time_p90_h;
  });
  double max_h = 0, max_usd = 0;
  for (const auto& p : ps) {
    max_h = std::max(max_h, banded ? p.time_p90_h : p.time_h);
    if (priced(p)) max_usd = std::max(max_usd, p.cost_usd);
  }
  for (const auto& p : nofit) max_h = std::max(max_h, p.time_h);
  // Units chosen from the largest value, so the tick labels stay short.
  double h_div = 1, usd_div = 1;
  time_unit_ = QStringLiteral("h");
  if (max_h >= 72) {
    h_div = 24;
    time_unit_ = QStringLiteral("days");
  }
  cost_unit_ = QStringLiteral("USD");
  if (max_usd >= 1e9) {
    usd_div = 1e9;
    cost_unit_ = QStringLiteral("billion USD");
  } else if (max_usd >= 1e6) {
    usd_div = 1e6;
    cost_unit_ = QStringLiteral("million USD");
  } else if (max_usd >= 1e4) {
    usd_div = 1e3;
    cost_unit_ = QStringLiteral("thousand USD");
  }
  const bool any_priced = std::any_of(ps.begin(), ps.end(), priced);
  time_axis_->setTitleText(tr("Training time (%1, log scale)").arg(time_unit_));
  cost_axis_->setTitleText(any_priced || ps.empty() ? tr("Cost (%1)").arg(cost_unit_)
                                                    : tr("Cost (not priced)"));
  cost_series_->setName(any_priced || ps.empty() ? tr("Cost")
                                                 : tr("Cost (no price per GPU-hour set)"));

  QList<QPointF> t, c, tc, cc, blo, bhi;
  t.reserve(static_cast<qsizetype>(ps.size()));
  c.reserve(static_cast<qsizetype>(ps.size()));
  for (const auto& p : ps) {
    const bool is_current = current_gpus && std::fabs(p.gpus - *current_gpus) < 1e-9;
    t.append(QPointF(p.gpus, p.time_h / h_div));
    if (banded) {
      blo.append(QPointF(p.gpus, p.time_p10_h / h_div));
      bhi.append(QPointF(p.gpus, p.time_p90_h / h_div));
    }
    if (is_current) tc.append(t.back());
    if (!priced(p)) continue;
    c.append(QPointF(p.gpus, p.cost_usd / usd_div));
    if (is_current) cc.append(c.back());
  }
  time_series_->replace(t);
  band_low_->replace(blo);
  band_high_->replace(bhi);
  band_->setVisible(banded);
  cost_series_->replace(c);
  time_current_->replace(tc);
  cost_current_->replace(cc);
  QList<QPointF> nf;
  for (const auto& p : nofit) nf.append(QPointF(p.gpus, p.time_h / h_div));
  no_fit_->replace(nf);
  no_fit_->setVisible(!nf.isEmpty());
  for (auto* m : chart_->legend()->markers(no_fit_)) m->setVisible(!nf.isEmpty());

  if (ps.empty() && nofit.empty()) {
    x_axis_->setRange(1, 1024);
    time_axis_->setRange(0.1, 10);
    cost_axis_->setRange(0, 1);
  } else {
    const double gmin = std::min(ps.empty() ? nofit.front().gpus : ps.front().gpus,
                                 nofit.empty() ? ps.front().gpus : nofit.front().gpus);
    const double gmax = std::max(ps.empty() ? nofit.back().gpus : ps.back().gpus,
                                 nofit.empty() ? ps.back().gpus : nofit.back().gpus);
    x_axis_->setRange(gmin / 1.5, gmax * 1.5);
    double lo = t.isEmpty() ? nf.front().y() : t.front().y(), hi = lo;
    for (const auto& p : t) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
    for (const auto& p : nf) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
    for (const auto& p : blo) lo = std::min(lo, p.y());
    for (const auto& p : bhi) hi = std::max(hi, p.y());
    // Whole decades, so the log axis always shows labelled ticks.
    // (A hair outside the decade, so rounding in Qt's tick placement keeps the end labels.)
    time_axis_->setRange(std::pow(10.0, std::floor(std::log10(lo))) * 0.999,
                         std::pow(10.0, std::ceil(std::log10(hi * 1.0001))) * 1.001);
    if (c.isEmpty()) {
      cost_axis_->setRange(0, 1);
    } else {
      lo = c.front().y(), hi = lo;
      for (const auto& p : c) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
      auto [clo, chi] = padded_range(lo, hi);
      cost_axis_->setRange(clo, chi);
      cost_axis_->applyNiceNumbers();
    }
  }
  QString description = tr("%1 points.").arg(ps.size());
  for (const auto& p : ps)
    description += QStringLiteral(" %1 GPUs: %2%3, %4;")
                       .arg(format_count(p.gpus), format_hours(p.time_h),
                            banded ? tr(" (P10-P90 %1 - %2)").arg(format_hours(p.time_p10_h), format_hours(p.time_p90_h))
                                   : QString(),
                            priced(p) ? format_usd(p.cost_usd) : tr("not priced"));
  for (const auto& p : nofit)
    description += tr(" %1 GPUs: does not fit in memory;").arg(format_count(p.gpus));
  view_->setAccessibleDescription(description);
}

void SweepChart::set_message(const QString& text) {
  chart_->setTitle(text.isEmpty()
                       ? tr("Training time and cost against GPU count")
                       : tr("Training time and cost against GPU count") +
                             QStringLiteral("<br><small>%1</small>").arg(text.toHtmlEscaped()));
}

QList<QPointF> SweepChart::time_points() const { return time_series_->points(); }
QList<QPointF> SweepChart::cost_points() const { return cost_series_->points(); }
QList<QPointF> SweepChart::band_low_points() const { return band_low_->points(); }
QList<QPointF> SweepChart::band_high_points() const { return band_high_->points(); }
QList<QPointF> SweepChart::no_fit_points() const { return no_fit_->points(); }

}  // namespace flopcast::gui
