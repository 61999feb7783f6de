package dev.portcullis.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;

/**
 * Finds what Netty's HTTP/1.1 decoder would repair silently in a request head: obsolete line
 * folding (a field line that starts with SP or HTAB, which the decoder joins to the field before
 * it) and line endings other than CRLF (a bare LF, a bare CR). Two parsers that disagree on a head
 * is how request smuggling works, so such a head is refused rather than repaired.
 *
 * <p>Algorithm: a state machine fed with raw bytes as they arrive, in pieces of any size. A head
 * (request line and field lines up to the empty line) is scanned byte by byte with one {@link
 * ByteBuf#forEachByte} pass, matching {@code Content-Length} and {@code Transfer-Encoding} on the
 * way. The body is then skipped without reading it: by arithmetic for a Content-Length body; for a
 * chunked body only the chunk-size lines and the trailer section are read, chunk data is skipped.
 * Then the next pipelined head is scanned. The scanner frames requests itself because the decoder
 * cannot tell it in time: the decoder takes every pipelined request of one read in a single call,
 * so by the time it reports the end of one body the next head is already decoded and folded.
 *
 * <p>Framing the scanner cannot follow (a Transfer-Encoding other than exactly {@code chunked},
 * several or non-numeric Content-Length values, a malformed chunk size) is what {@link
 * RequestFraming} and the decoder refuse with a 400 that closes the connection, so the scanner
 * stops scanning that connection ({@link #passingThrough}): no later request on it is ever served.
 * Transfer-Encoding: chunked wins over a Content-Length beside it, as in the decoder.
 *
 * <p>Layout: plain fields and one switch per byte, no allocation after construction. Bytes that
 * only matter at their line's end (the request line, most values) are passed over with
 * word-at-a-time searches for LF and CR rather than the switch: they are most of a head. The two
 * rejections are shared stackless exceptions. Threading: one instance per connection, used only on
 * its event loop. It never keeps or releases the buffers it is given.
 */
final class RequestHeadScanner implements ByteProcessor {
  /** A head the gateway refuses; its message is safe to show the client. */
  static final class MalformedHeadException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private MalformedHeadException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // shared and thrown at attackers' will: a stack trace would only cost
    }
  }

  static final MalformedHeadException OBS_FOLD =
      new MalformedHeadException(
          "A header field is continued on the next line (obsolete line folding).");
  static final MalformedHeadException BARE_LINE_END =
      new MalformedHeadException("The request head has a line ending other than CRLF.");

  private static final byte[] CONTENT_LENGTH = "content-length".getBytes();
  private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes();
  private static final byte[] CHUNKED = "chunked".getBytes();
  private static final long MAX_CONTENT_LENGTH = 999_999_999_999_999_999L;

  // States. Head states check line endings strictly; body states only look for LF, as the decoder.
  private static final int START = 0;
  private static final int REQUEST_LINE = 1;
  private static final int FIELD_START = 2;
  private static final int FIELD_NAME = 3;
  private static final int FIELD_VALUE = 4;
  private static final int HEAD_END = 5;
  private static final int FIXED_BODY = 6;
  private static final int CHUNK_SIZE = 7;
  private static final int CHUNK_EXTENSION = 8;
  private static final int CHUNK_DATA = 9;
  private static final int CHUNK_DATA_END = 10;
  private static final int TRAILER_START = 11;
  private static final int TRAILER_LINE = 12;
  private static final int PASS_THROUGH = 13;
  private static final int REJECTED = 14;

  // Fields being matched by name: bit 0 Content-Length, bit 1 Transfer-Encoding.
  private static final int CL = 1;
  private static final int TE = 2;

  private int state = START;
  private boolean sawCr;
  private MalformedHeadException rejection;
  private int headStart;
  private boolean headBegan;

  private int nameIndex;
  private int nameCandidates;
  private int field;
  private int valuePhase; // 0 leading whitespace, 1 token, 2 trailing whitespace, 3 invalid
  private long number;
  private int contentLengths;
  private boolean contentLengthInvalid;
  private long contentLength;
  private int transferEncodings;
  private boolean chunked;
  private int hexDigits;
  private long remaining;

  /**
   * Scans the readable bytes of {@code buf} (not moving its indexes).
   *
   * @return true when they may go on to the decoder; false when a head is refused: then {@link
   *     #rejection} says why and {@link #rejectedHeadStart} where in {@code buf} that head began
   */
  boolean scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    headStart = -1;
    while (i < end) {
      switch (state) {
        case PASS_THROUGH:
          return true;
        case REJECTED:
          return false;
        case FIXED_BODY:
        case CHUNK_DATA:
          {
            int skip = (int) Math.min(remaining, end - i);
            i += skip;
            remaining -= skip;
            if (remaining == 0) {
              state = state == FIXED_BODY ? START : CHUNK_DATA_END;
            }
            break;
          }
        default:
          {
            if (!sawCr && (state == REQUEST_LINE || state == FIELD_VALUE && field == 0)) {
              i = skipToLineEnd(buf, i, end);
              if (i >= end) {
                return state != REJECTED;
              }
            }
            int stop = buf.forEachByte(i, end - i, this);
            if (stop < 0) {
              return true;
            }
            if (headBegan) {
              headBegan = false;
              headStart = stop;
            }
            i = stop + 1;
          }
      }
    }
    return state != REJECTED;
  }

  /**
   * Most head bytes only matter at the end of their line: the request line and the values of fields
   * other than the two framing ones. Those are passed over with two word-at-a-time searches (LF,
   * then CR before it) instead of the state machine. Returns the index of the line's LF, with its
   * CR noted, for the state machine to take; or {@code end} when the line goes on in the next
   * buffer or a bare CR or LF was found (then the state says so).
   */
  private int skipToLineEnd(ByteBuf buf, int from, int end) {
    int lf = buf.indexOf(from, end, (byte) '\n');
    int limit = lf < 0 ? end : lf;
    int cr = buf.indexOf(from, limit, (byte) '\r');
    if (lf < 0) {
      if (cr == end - 1) {
        sawCr = true; // the LF should start the next buffer
      } else if (cr >= 0) {
        reject(BARE_LINE_END);
      }
      return end;
    }
    if (lf == from || cr != lf - 1) {
      reject(BARE_LINE_END); // an LF without CR, or a CR inside the line
      return end;
    }
    sawCr = true;
    return lf;
  }

  /** Why the last refused head was refused. */
  MalformedHeadException rejection() {
    return rejection;
  }

  /**
   * Where in the buffer given to the last {@link #scan} the refused head began: the bytes before it
   * belong to earlier requests. -1 when it began in an earlier buffer.
   */
  int rejectedHeadStart() {
    return headStart;
  }

  /** True once the scanner has stopped looking: the connection's framing is refused downstream. */
  boolean passingThrough() {
    return state == PASS_THROUGH;
  }

  /**
   * One byte of a head, a chunk-size line or a trailer section. Returns false to hand control back
   * to {@link #scan}: a head began, a body to skip begins, or the scan is over.
   */
  @Override
  public boolean process(byte b) {
    switch (state) {
      case START:
        // The decoder skips control characters and whitespace before a request line.
        if (b <= ' ' || b == 0x7F) {
          return true;
        }
        state = REQUEST_LINE;
        headBegan = true;
        return false;
      case REQUEST_LINE:
        if (sawCr || b == '\r' || b == '\n') {
          return lineEnding(b, FIELD_START);
        }
        return true;
      case FIELD_START:
        if (b == '\r' || b == '\n') {
          return lineEnding(b, HEAD_END);
        }
        if (b == ' ' || b == '\t') {
          return reject(OBS_FOLD);
        }
        nameIndex = 0;
        nameCandidates = CL | TE;
        field = 0;
        state = FIELD_NAME;
        return matchName(b);
      case FIELD_NAME:
        if (b == '\r' || b == '\n') {
          return lineEnding(b, FIELD_START);
        }
        return matchName(b);
      case FIELD_VALUE:
        if (sawCr || b == '\r' || b == '\n') {
          return lineEnding(b, FIELD_START);
        }
        if (field != 0) {
          value(b);
        }
        return true;
      case HEAD_END:
        return lineEnding(b, HEAD_END);
      case CHUNK_SIZE:
        return chunkSize(b);
      case CHUNK_EXTENSION:
        if (b == '\n') {
          return chunkSizeEnd();
        }
        return true;
      case CHUNK_DATA_END:
        if (b == '\n') {
          startChunkSize();
        }
        return true;
      case TRAILER_START:
        if (b == '\n') {
          state = START;
        } else if (b != '\r') {
          state = TRAILER_LINE;
        }
        return true;
      case TRAILER_LINE:
        if (b == '\n') {
          state = TRAILER_START;
        }
        return true;
      default:
        return false;
    }
  }

  /** A CR, an LF, or the byte after a CR, in a head: only CRLF ends a line there. */
  private boolean lineEnding(byte b, int next) {
    if (sawCr) {
      sawCr = false;
      if (b != '\n') {
        return reject(BARE_LINE_END);
      }
      if (state == FIELD_VALUE || state == FIELD_NAME) {
        endField();
      }
      if (state == HEAD_END) {
        return headEnd();
      }
      state = next;
      return true;
    }
    if (b == '\r') {
      sawCr = true;
      if (next == HEAD_END) {
        state = HEAD_END;
      }
      return true;
    }
    return reject(BARE_LINE_END);
  }

  private boolean matchName(byte b) {
    if (b == ':') {
      field = nameCandidates & (nameIndex == CONTENT_LENGTH.length ? CL : 0);
      field |= nameCandidates & (nameIndex == TRANSFER_ENCODING.length ? TE : 0);
      valuePhase = 0;
      number = 0;
      state = FIELD_VALUE;
      return field != 0; // other values are skipped to their line end
    }
    int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
    if ((nameCandidates & CL) != 0
        && (nameIndex >= CONTENT_LENGTH.length || CONTENT_LENGTH[nameIndex] != lower)) {
      nameCandidates &= ~CL;
    }
    if ((nameCandidates & TE) != 0
        && (nameIndex >= TRANSFER_ENCODING.length || TRANSFER_ENCODING[nameIndex] != lower)) {
      nameCandidates &= ~TE;
    }
    nameIndex++;
    return true;
  }

  /** A value byte of Content-Length (decimal digits) or Transfer-Encoding (exactly chunked). */
  private void value(byte b) {
    boolean space = b == ' ' || b == '\t';
    switch (valuePhase) {
      case 0:
        if (space) {
          return;
        }
        valuePhase = 1;
        nameIndex = 0;
        valueToken(b);
        return;
      case 1:
        if (space) {
          valuePhase = 2;
        } else {
          valueToken(b);
        }
        return;
      case 2:
        if (!space) {
          valuePhase = 3;
        }
        return;
      default:
    }
  }

  private void valueToken(byte b) {
    if (field == CL) {
      if (b < '0' || b > '9' || number > MAX_CONTENT_LENGTH / 10) {
        valuePhase = 3;
      } else {
        number = number * 10 + (b - '0');
      }
    } else if (nameIndex < CHUNKED.length && CHUNKED[nameIndex] == b) {
      nameIndex++;
    } else {
      valuePhase = 3;
    }
  }

  private void endField() {
    if (field == CL) {
      contentLengths++;
      if (valuePhase == 0 || valuePhase == 3) {
        contentLengthInvalid = true;
      }
      contentLength = number;
    } else if (field == TE) {
      transferEncodings++;
      chunked = valuePhase != 0 && valuePhase != 3 && nameIndex == CHUNKED.length;
    }
    field = 0;
  }

  /** The empty line: decide how the body is framed, as the decoder and RequestFraming do. */
  private boolean headEnd() {
    int framing;
    if (transferEncodings > 0) {
      framing = transferEncodings == 1 && chunked ? CHUNK_SIZE : PASS_THROUGH;
    } else if (contentLengths > 0) {
      framing = contentLengths == 1 && !contentLengthInvalid ? FIXED_BODY : PASS_THROUGH;
    } else {
      framing = START;
    }
    long length = contentLength;
    contentLengths = 0;
    contentLengthInvalid = false;
    contentLength = 0;
    transferEncodings = 0;
    chunked = false;
    if (framing == FIXED_BODY) {
      if (length == 0) {
        state = START;
        return true;
      }
      remaining = length;
      state = FIXED_BODY;
      return false;
    }
    if (framing == CHUNK_SIZE) {
      startChunkSize();
      return true;
    }
    state = framing;
    return framing != PASS_THROUGH;
  }

  private void startChunkSize() {
    state = CHUNK_SIZE;
    hexDigits = 0;
    number = 0;
  }

  private boolean chunkSize(byte b) {
    int digit = Character.digit(b, 16);
    if (digit >= 0) {
      if (++hexDigits > 15) {
        state = PASS_THROUGH; // larger than the decoder takes: it refuses the request
        return false;
      }
      number = number << 4 | digit;
      return true;
    }
    if (b == '\r') {
      return true;
    }
    if (b == '\n') {
      return chunkSizeEnd();
    }
    if (hexDigits > 0 && (b == ';' || b == ' ' || b == '\t')) {
      state = CHUNK_EXTENSION;
      return true;
    }
    state = PASS_THROUGH;
    return false;
  }

  private boolean chunkSizeEnd() {
    if (hexDigits == 0) {
      state = PASS_THROUGH;
      return false;
    }
    if (number == 0) {
      state = TRAILER_START;
      return true;
    }
    remaining = number;
    state = CHUNK_DATA;
    return false;
  }

  private boolean reject(MalformedHeadException why) {
    rejection = why;
    state = REJECTED;
    return false;
  }
}
