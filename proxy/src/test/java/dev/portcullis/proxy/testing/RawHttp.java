package dev.portcullis.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over a plain socket, for what java.net.http will not send (Connection,
 * Host, hop-by-hop headers, pipelining, malformed requests). Reads responses framed by
 * Content-Length, chunked encoding, or connection close.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(InetSocketAddress address) throws IOException {
    socket = new Socket(address.getAddress(), address.getPort());
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public RawHttp send(String requestText) throws IOException {
    out.write(requestText.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /**
   * One response; its header names are lower-cased, repeated values joined with "|". {@code body}
   * is the body as UTF-8 text, {@code bytes} the body as received (after de-chunking).
   */
  public record Response(int status, Map<String, String> headers, String body, byte[] bytes) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  public Response read() throws IOException {
    return read(false);
  }

  /** The response to a HEAD request: its framing headers describe a body that is not sent. */
  public Response readHead() throws IOException {
    return read(true);
  }

  private Response read(boolean headRequest) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      headers.merge(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          h.substring(colon + 1).trim(),
          (a, b) -> a + "|" + b);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (status == 100 || headRequest) {
      return new Response(status, headers, "", new byte[0]);
    }
    if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size; (size = Integer.parseInt(line().trim(), 16)) > 0; ) {
        body.write(in.readNBytes(size));
        line();
      }
      while (!line().isEmpty()) {
        // trailers
      }
    } else if (status != 204 && status != 304) {
      body.write(in.readAllBytes());
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8), body.toByteArray());
  }

  public List<Response> read(int count) throws IOException {
    List<Response> responses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      responses.add(read());
    }
    return responses;
  }

  /** True when the server closed the connection (the next read sees end of stream). */
  public boolean closedByPeer() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
