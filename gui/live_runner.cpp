#include "gui/live_runner.h"

#include <QMetaObject>
#include <chrono>

namespace flopcast::gui {

namespace sc = flopcast::scenarios;

LiveRunner::LiveRunner(QObject* parent)
    : QObject(parent), latest_(std::make_shared<std::atomic<quint64>>(0)) {
  pool_.setMaxThreadCount(1);
  pool_.setExpiryTimeout(-1);
}

LiveRunner::~LiveRunner() {
  if (cancel_) cancel_->store(true);
  pool_.waitForDone();
}

quint64 LiveRunner::submit(std::string scenario_text, std::string origin, bool with_sweep) {
  if (cancel_) cancel_->store(true);
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  const quint64 gen = ++generation_;
  latest_->store(gen);
  if (pending_++ == 0) emit busy_changed(true);

  auto cancel = cancel_;
  auto latest = latest_;
  // Workers post back to `this`; ~LiveRunner waits for them, and Qt drops events posted to an
  // object that is being destroyed.
  pool_.start([this, gen, cancel, latest, with_sweep, text = std::move(scenario_text),
               origin = std::move(origin)] {
    auto skipped = [&] { return latest->load() != gen || cancel->load(); };
    auto run_job = [&](sc::Job job) {
      auto result = std::make_shared<sc::RunResult>();
      if (skipped()) {
        result->ok = false;
        result->diagnostics.push_back({origin, "", 0, 0, "cancelled"});
        return result;
      }
      sc::RunRequest request;
      request.job = job;
      request.scenario_text = text;
      request.origin = origin;
      auto last_report = std::chrono::steady_clock::now() - std::chrono::seconds(1);
      const sc::ProgressFn on_progress = [&](double fraction, std::string_view what) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report < std::chrono::milliseconds(50) && fraction < 1.0) return;
        last_report = now;
        const QString label = QString::fromUtf8(what.data(), static_cast<qsizetype>(what.size()));
        QMetaObject::invokeMethod(
            this,
            [this, gen, fraction, label] {
              if (gen == generation_) emit progress(gen, fraction, label);
            },
            Qt::QueuedConnection);
      };
      *result = sc::run(request, on_progress, *cancel);
      return result;
    };
    auto post = [&](bool sweep, std::shared_ptr<sc::RunResult> r) {
      QMetaObject::invokeMethod(
          this, [this, gen, sweep, r] { deliver(gen, sweep, r); }, Qt::QueuedConnection);
    };
    post(false, run_job(sc::Job::estimate));
    if (with_sweep) post(true, run_job(sc::Job::sweep_gpus));
    QMetaObject::invokeMethod(
        this, [this] { finish_one(); }, Qt::QueuedConnection);
  });
  return gen;
}

void LiveRunner::cancel() {
  if (cancel_) cancel_->store(true);
}

void LiveRunner::invalidate() {
  if (cancel_) cancel_->store(true);
  latest_->store(++generation_);
}

void LiveRunner::wait_for_done() { pool_.waitForDone(); }

void LiveRunner::deliver(quint64 gen, bool sweep, std::shared_ptr<sc::RunResult> r) {
  if (gen != generation_) {  // a newer request exists: this answer is stale
    ++dropped_;
    return;
  }
  if (sweep)
    emit sweep_ready(gen, *r);
  else
    emit estimate_ready(gen, *r);
}

void LiveRunner::finish_one() {
  if (--pending_ == 0) emit busy_changed(false);
}

}  // namespace flopcast::gui
