package dev.portcullis.proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version: the fat jar manifest's {@code Implementation-Version}, else {@code
 * version.properties} as filtered by Maven, else the proxy module's Maven descriptor, else
 * "development build" (classes run straight from an IDE).
 */
final class VersionProvider implements IVersionProvider {
  private static final String FILTERED = "/dev/portcullis/proxy/cli/version.properties";
  private static final String MAVEN_DESCRIPTOR =
      "/META-INF/maven/dev.portcullis/portcullis-proxy/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {"portcullis " + version()};
  }

  static String version() {
    String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
    if (usable(fromManifest)) {
      return fromManifest;
    }
    for (String resource : new String[] {FILTERED, MAVEN_DESCRIPTOR}) {
      String value = property(resource);
      if (usable(value)) {
        return value;
      }
    }
    return "development build";
  }

  // An unfiltered resource still reads "${project.version}"; that is no version.
  private static boolean usable(String version) {
    return version != null && !version.isBlank() && !version.contains("${");
  }

  private static String property(String resource) {
    try (InputStream in = VersionProvider.class.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      return null;
    }
  }
}
