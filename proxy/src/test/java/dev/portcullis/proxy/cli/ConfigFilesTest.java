package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFilesTest {

  @Test
  void theOptionWinsOverTheEnvironment() {
    assertThat(ConfigFiles.resolve(Path.of("a.yaml"), Map.of("PORTCULLIS_CONFIG", "b.yaml")))
        .isEqualTo(Path.of("a.yaml"));
  }

  @Test
  void theEnvironmentNamesTheFileWhenNoOptionDoes() {
    assertThat(ConfigFiles.resolve(null, Map.of("PORTCULLIS_CONFIG", "b.yaml")))
        .isEqualTo(Path.of("b.yaml"));
  }

  @Test
  void withNeitherTheDefaultsApply() {
    assertThat(ConfigFiles.resolve(null, Map.of())).isNull();
    assertThat(ConfigFiles.resolve(null, Map.of("PORTCULLIS_CONFIG", " "))).isNull();
  }
}
