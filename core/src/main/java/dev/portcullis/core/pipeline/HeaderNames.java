package dev.portcullis.core.pipeline;

import io.netty.handler.codec.DefaultHeaders.NameValidator;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

/**
 * Names of the headers the gateway writes itself, checked once when they are made instead of on
 * every request.
 *
 * <p>Netty checks a header name's characters on every {@code set} and {@code add}, which is what
 * keeps a client's or an upstream's bytes from splitting a message. The gateway's own names are
 * constants, yet each request paid that check for about twenty of them (1.3% of the event loop's
 * samples in {@code bench/run-profile full}). A name made by {@link #of} is checked here and its
 * bytes are kept in one array owned by this class; the validator of {@link #headersFactory()}
 * recognises such a name by that array and skips the check. Netty's decoders build the names they
 * read over arrays of their own, so every name a client or an upstream sends is still checked in
 * full.
 *
 * <p>Thread-safe: {@link #of} is synchronized, and a name's bytes are written before the name is
 * returned. Once the array is full (thousands of names; only configuration reloads add more after
 * startup) {@link #of} still checks the name and returns an ordinary string that the validator
 * checks each time.
 */
public final class HeaderNames {
  private static final NameValidator<CharSequence> WIRE_VALIDATOR =
      DefaultHttpHeadersFactory.headersFactory().getNameValidator();
  private static final Arena CHECKED = new Arena(16 * 1024);
  private static final HttpHeadersFactory HEADERS_FACTORY =
      DefaultHttpHeadersFactory.headersFactory()
          .withNameValidator(HeaderNames::validate)
          .withValueValidator(HeaderValues.VALIDATOR);

  /** Standard names the gateway sets on requests and responses it relays. */
  public static final AsciiString HOST = of("host");

  public static final AsciiString VIA = of("via");
  public static final AsciiString SERVER = of("server");
  public static final AsciiString CONNECTION = of("connection");
  public static final AsciiString TRANSFER_ENCODING = of("transfer-encoding");

  private HeaderNames() {}

  /**
   * A header name the gateway writes: checked now against HTTP's token rule.
   *
   * @throws IllegalArgumentException naming the header when it is empty or not a token
   */
  public static AsciiString of(String name) {
    return CHECKED.of(name);
  }

  /**
   * Headers for the gateway's codecs: Netty's default checks, minus the name check for names made
   * by {@link #of}, with values checked by {@link HeaderValues}.
   */
  public static HttpHeadersFactory headersFactory() {
    return HEADERS_FACTORY;
  }

  private static void validate(CharSequence name) {
    if (!CHECKED.holds(name)) {
      WIRE_VALIDATOR.validateName(name);
    }
  }

  /** Checked names' bytes, appended to one array that only this class writes. */
  static final class Arena {
    private final byte[] bytes;
    private int used;

    Arena(int capacity) {
      this.bytes = new byte[capacity];
    }

    synchronized AsciiString of(String name) {
      WIRE_VALIDATOR.validateName(name);
      int length = name.length();
      if (used + length > bytes.length) {
        return new AsciiString(name);
      }
      int start = used;
      for (int i = 0; i < length; i++) {
        bytes[start + i] = (byte) name.charAt(i);
      }
      used += length;
      return new AsciiString(bytes, start, length, false);
    }

    /** Whether {@code name} was made by {@link #of} here (a non-empty view of this array). */
    boolean holds(CharSequence name) {
      return name instanceof AsciiString ascii && ascii.array() == bytes && !ascii.isEmpty();
    }
  }
}
