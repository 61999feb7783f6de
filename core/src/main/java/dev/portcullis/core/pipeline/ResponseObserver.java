package dev.portcullis.core.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Watches one exchange's response as the engine sends it, for a filter that must see the body (the
 * response cache). A request filter attaches it with {@code exchange.set(ResponseObserver.KEY,
 * observer)}; the engine then calls it on the exchange's event loop, in order: {@link
 * #onResponseHead} once, {@link #onResponseContent} for each body part of an upstream response it
 * relays, and {@link #onResponseEnd} exactly once when the exchange ends, however it ends.
 *
 * <p>Buffer ownership: the engine owns every {@link ByteBuf} it passes and writes it to the client
 * right after the call; an observer copies what it wants and never retains or releases it. Bodies
 * are never aggregated before the client gets them.
 */
public interface ResponseObserver {
  ExchangeKey<ResponseObserver> KEY = ExchangeKey.of("response-observer");

  /**
   * The head of the response about to be sent: the upstream's ({@code fromUpstream}, hop-by-hop
   * headers already removed), or one the gateway produced after the filters passed the request on
   * (an upstream error or timeout, or a 503 for an open circuit breaker). Returns a response to
   * send instead, or null to send this one: the engine discards the rest of a replaced upstream
   * response and keeps the connection when it can.
   */
  GatewayResponse onResponseHead(
      HttpResponseStatus status, HttpHeaders headers, boolean fromUpstream);

  /**
   * A body part of the relayed upstream response (readable bytes only, not to be retained), called
   * before the part is written to the client. {@code last} marks the end of the upstream's
   * response: the body is whole.
   */
  void onResponseContent(ByteBuf content, boolean last);

  /**
   * The exchange ended. {@code complete} is true only when an upstream response was relayed whole,
   * head and body, to the client.
   */
  void onResponseEnd(boolean complete);
}
