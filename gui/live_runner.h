// The live what-if loop: scenario text in, runner results out, off the UI thread.
//
// Every submit() gets a generation number and sets the cancel flag of the request before it
// ("latest request wins", after hotspot's JobTracker). Work runs on a private one-thread pool, so
// queued stale requests are skipped without running; a result whose generation is no longer the
// latest is dropped on arrival and never emitted. Each request runs the estimate first (the
// numbers), then the GPU-count sweep (the chart), both through flopcast::scenarios::run, the same
// door the CLI uses. The GUI never computes.
#pragma once

#include <QObject>
#include <QString>
#include <QThreadPool>
#include <atomic>
#include <memory>
#include <string>

#include "scenarios/runner.h"

namespace flopcast::gui {

class LiveRunner : public QObject {
  Q_OBJECT

 public:
  explicit LiveRunner(QObject* parent = nullptr);
  ~LiveRunner() override;  // cancels the running request and waits for it

  // Starts a new request and returns its generation; the previous request is cancelled.
  quint64 submit(std::string scenario_text, std::string origin, bool with_sweep = true);
  // Cancels the latest request (its result arrives as a "cancelled" failure).
  void cancel();
  // Cancels the latest request and drops every answer still on its way: the inputs changed and
  // a new request follows (an answer for the old inputs must not show meanwhile).
  void invalidate();
  // Blocks until no request runs (tests, shutdown).
  void wait_for_done();

  quint64 latest_generation() const { return generation_; }
  bool busy() const { return pending_ > 0; }
  int dropped_results() const { return dropped_; }

 signals:
  void estimate_ready(quint64 generation, const flopcast::scenarios::RunResult& result);
  void sweep_ready(quint64 generation, const flopcast::scenarios::RunResult& result);
  void progress(quint64 generation, double fraction, const QString& what);
  void busy_changed(bool busy);

 private:
  void deliver(quint64 generation, bool sweep, std::shared_ptr<flopcast::scenarios::RunResult> r);
  void finish_one();

  QThreadPool pool_;
  quint64 generation_ = 0;
  int pending_ = 0;
  int dropped_ = 0;
  std::shared_ptr<std::atomic<bool>> cancel_;
  std::shared_ptr<std::atomic<quint64>> latest_;  // read by workers to skip stale queued work
};

}  // namespace flopcast::gui

Q_DECLARE_METATYPE(flopcast::scenarios::RunResult)
