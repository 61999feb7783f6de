package dev.portcullis.proxy.observe;

import dev.portcullis.proxy.admin.AdminEndpoint;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper's Accept asks
 * for it. Runs on the admin event loop; a scrape is rare and small, so it is rendered whole.
 */
final class MetricsEndpoint implements AdminEndpoint {
  private final PrometheusRegistry registry;
  private final ExpositionFormats formats = ExpositionFormats.init();

  MetricsEndpoint(PrometheusRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Reply handle() {
    return render(formats.getPrometheusTextFormatWriter());
  }

  @Override
  public Reply handle(HttpHeaders requestHeaders) {
    String accept = requestHeaders.get(HttpHeaderNames.ACCEPT);
    ExpositionFormatWriter writer = formats.findWriter(accept == null ? "" : accept);
    if (!writer.isAvailable()) {
      // Protobuf was asked for, but its library is deliberately not on the classpath.
      writer = formats.getPrometheusTextFormatWriter();
    }
    return render(writer);
  }

  private Reply render(ExpositionFormatWriter writer) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(body, registry.scrape());
    } catch (IOException e) {
      return Reply.error(500, "internal_error", "The metrics could not be rendered.");
    }
    return new Reply(200, writer.getContentType(), body.toString(StandardCharsets.UTF_8));
  }
}
