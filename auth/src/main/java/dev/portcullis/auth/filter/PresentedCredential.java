package dev.portcullis.auth.filter;

import dev.portcullis.core.config.RouteAuth;
import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * Which credential a request presents, picked from its headers: {@code Authorization: Bearer
 * <JWT>}, {@code Authorization: Bearer <API key>} or {@code X-API-Key: <API key>}. A request that
 * presents two is refused rather than guessed at, so no header can shadow another.
 *
 * @param method {@link RouteAuth#API_KEY}, {@link RouteAuth#JWT}, or null for none
 * @param value the credential (a secret), or null
 * @param problem why the headers are unusable (several credentials, a scheme other than Bearer), or
 *     null
 */
record PresentedCredential(String method, String value, String problem) {
  static final AsciiString X_API_KEY = HeaderNames.of("x-api-key");
  private static final PresentedCredential NONE = new PresentedCredential(null, null, null);
  private static final String BEARER = "Bearer ";

  static PresentedCredential from(HttpHeaders headers) {
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    String apiKey = headers.get(X_API_KEY);
    if (authorization == null && apiKey == null) {
      return NONE;
    }
    if (authorization != null && apiKey != null) {
      return problem("send one credential: Authorization or X-API-Key, not both");
    }
    if (repeated(headers, apiKey != null ? X_API_KEY : HttpHeaderNames.AUTHORIZATION)) {
      return problem("send one credential header");
    }
    if (apiKey != null) {
      return new PresentedCredential(RouteAuth.API_KEY, apiKey.trim(), null);
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return problem("use the Bearer scheme: Authorization: Bearer <API key or JWT>");
    }
    String token = authorization.substring(BEARER.length()).trim();
    return new PresentedCredential(
        looksLikeJwt(token) ? RouteAuth.JWT : RouteAuth.API_KEY, token, null);
  }

  /** Whether the header occurs more than once; walks its values without collecting them. */
  private static boolean repeated(HttpHeaders headers, CharSequence name) {
    Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(name);
    if (!values.hasNext()) {
      return false;
    }
    values.next();
    return values.hasNext();
  }

  /** Three base64url parts: our API keys never contain a dot. */
  private static boolean looksLikeJwt(String token) {
    int first = token.indexOf('.');
    return first > 0 && token.indexOf('.', first + 1) > first + 1 && !token.startsWith("atl_");
  }

  private static PresentedCredential problem(String problem) {
    return new PresentedCredential(null, null, problem);
  }

  boolean isPresent() {
    return method != null;
  }

  @Override
  public String toString() {
    return "PresentedCredential[" + method + "]";
  }
}
