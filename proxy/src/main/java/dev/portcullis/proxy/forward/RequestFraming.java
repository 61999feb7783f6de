package dev.portcullis.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The request-smuggling checks Netty's decoder leaves to us, run on the request head before
 * anything reaches an upstream. Two parsers that disagree on where a request ends is how smuggling
 * works, so anything with more than one reading is refused rather than interpreted:
 * Transfer-Encoding other than exactly {@code chunked}, several or non-numeric Content-Length
 * values, both at once, an HTTP/1.1 request without Host, and an absolute-form target whose
 * authority disagrees with Host. (Obsolete line folding and line endings other than CRLF are
 * refused on the raw bytes by {@link RequestHeadScanner}, before the decoder could repair them;
 * control characters in header values and malformed chunk sizes by the decoder itself.)
 */
final class RequestFraming {
  private RequestFraming() {}

  /** Null when the head is acceptable, else a reason safe to show the client. */
  static String check(HttpRequest request) {
    HttpHeaders headers = request.headers();
    List<String> transferEncodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    List<String> contentLengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (!transferEncodings.isEmpty() && !contentLengths.isEmpty()) {
      return "The request has both Content-Length and Transfer-Encoding.";
    }
    if (!transferEncodings.isEmpty()
        && (transferEncodings.size() != 1 || !transferEncodings.get(0).equals("chunked"))) {
      return "Transfer-Encoding must be exactly 'chunked'.";
    }
    if (contentLengths.size() > 1) {
      return "The request has more than one Content-Length.";
    }
    if (contentLengths.size() == 1 && !isDecimal(contentLengths.get(0))) {
      return "Content-Length must be a single decimal number.";
    }
    String host = headers.get(HttpHeaderNames.HOST);
    if (headers.getAll(HttpHeaderNames.HOST).size() > 1) {
      return "The request has more than one Host.";
    }
    if (host == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return "An HTTP/1.1 request needs a Host header.";
    }
    String uri = request.uri();
    int scheme = uri.startsWith("http://") ? 7 : uri.startsWith("https://") ? 8 : -1;
    if (scheme > 0) {
      int end = scheme;
      while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
        end++;
      }
      String authority = uri.substring(scheme, end);
      if (host == null || !authority.equalsIgnoreCase(host)) {
        return "The request target's authority does not match its Host header.";
      }
    }
    return null;
  }

  private static boolean isDecimal(String value) {
    if (value.isEmpty() || value.length() > 18) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
