package dev.portcullis.proxy.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the admin endpoints. Admin traffic is small and rare, so requests are aggregated and
 * answered whole; the proxy path never looks like this.
 *
 * <p>GET endpoints answer on the loop. A {@link AdminRoute} answers with a stage: reading stops on
 * the connection until its reply is written (so pipelined requests are answered in order), and the
 * reply is written on the connection's loop whichever thread completed the stage. The request
 * buffer is released by {@link SimpleChannelInboundHandler} when this returns; a route only sees
 * copies.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  private final Map<String, AdminEndpoint> endpoints;
  private final List<AdminServer.RouteEntry> routes;

  AdminHandler(Map<String, AdminEndpoint> endpoints, List<AdminServer.RouteEntry> routes) {
    this.endpoints = endpoints;
    this.routes = routes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (!request.decoderResult().isSuccess()) {
      write(
          ctx,
          AdminEndpoint.Reply.error(400, "bad_request", "The request is not valid HTTP/1.1."),
          keepAlive,
          head);
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    AdminEndpoint endpoint = endpoints.get(path);
    if (endpoint != null) {
      AdminEndpoint.Reply reply =
          request.method().equals(HttpMethod.GET) || head
              ? endpoint.handle(request.headers())
              : AdminEndpoint.Reply.error(405, "method_not_allowed", "Use GET.")
                  .withHeader("Allow", "GET, HEAD");
      write(ctx, reply, keepAlive, head);
      return;
    }
    StringJoiner allowed = new StringJoiner(", ");
    for (AdminServer.RouteEntry route : routes) {
      Map<String, String> params = route.pattern().match(path);
      if (params == null) {
        continue;
      }
      if (!route.method().equals(request.method())) {
        allowed.add(route.method().name());
        continue;
      }
      AdminRequest adminRequest =
          new AdminRequest(
              request.method().name(),
              path,
              params,
              uri.parameters(),
              request.headers().copy(),
              request.content().toString(StandardCharsets.UTF_8),
              (InetSocketAddress) ctx.channel().remoteAddress());
      dispatch(ctx, route.route(), adminRequest, keepAlive);
      return;
    }
    AdminEndpoint.Reply reply =
        allowed.length() > 0
            ? AdminEndpoint.Reply.error(405, "method_not_allowed", "Use " + allowed + ".")
                .withHeader("Allow", allowed.toString())
            : AdminEndpoint.Reply.error(404, "not_found", "No admin endpoint at " + path + ".");
    write(ctx, reply, keepAlive, head);
  }

  private void dispatch(
      ChannelHandlerContext ctx, AdminRoute route, AdminRequest request, boolean keepAlive) {
    CompletionStage<AdminEndpoint.Reply> stage;
    try {
      stage = route.handle(request);
    } catch (RuntimeException e) {
      log.warn("admin {} {} failed", request.method(), request.path(), e);
      write(ctx, internalError(), keepAlive, false);
      return;
    }
    ctx.channel().config().setAutoRead(false);
    stage.whenComplete(
        (reply, error) ->
            ctx.executor()
                .execute(
                    () -> {
                      AdminEndpoint.Reply answer = reply;
                      if (error != null || reply == null) {
                        log.warn("admin {} {} failed", request.method(), request.path(), error);
                        answer = internalError();
                      }
                      write(ctx, answer, keepAlive, false);
                      ctx.channel().config().setAutoRead(true);
                    }));
  }

  private static AdminEndpoint.Reply internalError() {
    return AdminEndpoint.Reply.error(
        500, "internal_error", "The admin request failed; the gateway log has the reason.");
  }

  private static void write(
      ChannelHandlerContext ctx, AdminEndpoint.Reply reply, boolean keepAlive, boolean head) {
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()),
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    reply.headers().forEach(response.headers()::set);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var write = ctx.writeAndFlush(response);
    if (!keepAlive) {
      write.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
