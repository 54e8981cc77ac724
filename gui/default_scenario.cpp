#include "gui/default_scenario.h"

#include <QDir>
#include <QFileInfo>

namespace flopcast::gui {

QString find_default_scenario(const QString& app_dir) {
  const QString rel = QStringLiteral("scenarios/examples/default.json");
  QDir dir(app_dir);
  for (int up = 0; up < 6; ++up) {
    const QString candidate = dir.filePath(rel);
    if (QFileInfo::exists(candidate)) return QFileInfo(candidate).canonicalFilePath();
    if (!dir.cdUp()) break;
  }
  const QString installed = QDir(app_dir).filePath(QStringLiteral("../share/flopcast/") + rel);
  if (QFileInfo::exists(installed)) return QFileInfo(installed).canonicalFilePath();
#ifdef FLOPCAST_SOURCE_DIR
  const QString source = QDir(QStringLiteral(FLOPCAST_SOURCE_DIR)).filePath(rel);
  if (QFileInfo::exists(source)) return QFileInfo(source).canonicalFilePath();
#endif
  return {};
}

}  // namespace flopcast::gui
