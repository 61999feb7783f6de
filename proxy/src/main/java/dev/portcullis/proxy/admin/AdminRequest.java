package dev.portcullis.proxy.admin;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One admin request as a route sees it, detached from Netty's buffers (the body is copied out, so
 * nothing here needs releasing and it may be used on any thread).
 *
 * @param pathParams the values of the pattern's {@code {name}} segments
 * @param query the decoded query parameters
 * @param body the request body as UTF-8 text; empty when there is none
 */
public record AdminRequest(
    String method,
    String path,
    Map<String, String> pathParams,
    Map<String, List<String>> query,
    HttpHeaders headers,
    String body,
    InetSocketAddress remote) {

  public String param(String name) {
    return pathParams.get(name);
  }

  /** The first value of a query parameter, or null. */
  public String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
