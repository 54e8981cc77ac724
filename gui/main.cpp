// flopcast-gui [FILE] [--screenshot PNG]: the desktop app.
//
// Opens FILE, or the shipped default scenario (scenarios/examples/default.json) when none is
// given. --screenshot PNG shows the window, waits until the first answer and chart are in, writes
// the window to PNG and exits (tools/screenshot.sh runs it with QT_QPA_PLATFORM=offscreen).
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <clocale>
#include <cstdio>
#include <cstdlib>

#include "flopcast/version.h"
#include "gui/default_scenario.h"
#include "gui/main_window.h"

namespace {

bool have_display() {
  for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
    const char* v = std::getenv(var);
    if (v && *v) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // Without a display Qt aborts; say what to do instead of crashing.
  if (!have_display()) {
    std::fprintf(stderr,
                 "flopcast-gui: no display (DISPLAY and WAYLAND_DISPLAY are unset); use the "
                 "`flopcast` CLI, or set QT_QPA_PLATFORM=offscreen\n");
    return 2;
  }
  QApplication app(argc, argv);
  std::setlocale(LC_NUMERIC, "C");  // scenario numbers always use '.' decimals
  QApplication::setOrganizationName(QStringLiteral("flopcast"));
  QApplication::setApplicationName(QStringLiteral("flopcast-gui"));
  QApplication::setApplicationVersion(
      QStringLiteral("%1 (%2)").arg(flopcast::kVersion, flopcast::kGitSha));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Flopcast: how long training takes, on what hardware, at what cost and energy."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(
      QStringLiteral("file"),
      QStringLiteral("Scenario file to open (default: the shipped example)."),
      QStringLiteral("[FILE]"));
  QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Write the window to PNG once the answer is in, then exit."),
      QStringLiteral("PNG"));
  QCommandLineOption size(QStringLiteral("size"),
                          QStringLiteral("Window size for --screenshot (default 1360x820)."),
                          QStringLiteral("WxH"), QStringLiteral("1360x820"));
  parser.addOption(screenshot);
  parser.addOption(size);
  parser.process(app);

  QString file;
  const QStringList args = parser.positionalArguments();
  if (args.size() > 1) {
    std::fprintf(stderr, "flopcast-gui: expected at most one scenario file, got %d\n",
                 static_cast<int>(args.size()));
    return 2;
  }
  if (!args.isEmpty()) {
    file = args.front();
  } else {
    file = flopcast::gui::find_default_scenario(QCoreApplication::applicationDirPath());
    if (file.isEmpty()) {
      std::fprintf(stderr,
                   "flopcast-gui: cannot find scenarios/examples/default.json near %s; pass a "
                   "scenario file\n",
                   qPrintable(QCoreApplication::applicationDirPath()));
      return 2;
    }
  }

  flopcast::gui::MainWindow window;
  QString error;
  if (!window.open_file(file, &error)) {
    std::fprintf(stderr, "flopcast-gui: %s\n", qPrintable(error));
    return 2;
  }

  if (!parser.isSet(screenshot)) {
    window.resize(1360, 820);
    window.show();
    return app.exec();
  }

  const QStringList wh = parser.value(size).split(QLatin1Char('x'));
  bool ok_w = false, ok_h = false;
  const int w = wh.size() == 2 ? wh[0].toInt(&ok_w) : 0;
  const int h = wh.size() == 2 ? wh[1].toInt(&ok_h) : 0;
  if (!ok_w || !ok_h || w < 200 || h < 200 || w > 8000 || h > 8000) {
    std::fprintf(stderr, "flopcast-gui: --size: expected WxH such as 1360x820, got '%s'\n",
                 qPrintable(parser.value(size)));
    return 2;
  }
  const QString out = parser.value(screenshot);
  window.resize(w, h);
  window.show();
  int rc = 1;
  auto shoot = [&] {
    QTimer::singleShot(200, &window, [&] {  // let layout and the first paint happen
      const bool saved = window.grab().save(out, "PNG");
      if (!saved) std::fprintf(stderr, "flopcast-gui: cannot write %s\n", qPrintable(out));
      rc = saved ? 0 : 1;
      app.quit();
    });
  };
  QObject::connect(&window, &flopcast::gui::MainWindow::became_idle, &window, shoot,
                   Qt::SingleShotConnection);
  QTimer::singleShot(30000, &window, [&] {
    std::fprintf(stderr, "flopcast-gui: no answer within 30 s; screenshot not written\n");
    app.exit(1);
  });
  app.exec();
  return rc;
}
