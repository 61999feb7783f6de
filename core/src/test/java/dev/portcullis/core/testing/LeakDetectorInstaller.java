package dev.portcullis.core.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Registered as a launcher session listener so the recording leak detector is in place first. */
public final class LeakDetectorInstaller implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    LeakReports.install();
  }
}
