package dev.portcullis.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare
 * address is a /32 or /128. Immutable; {@link #contains} allocates nothing.
 *
 * <p>An IPv4-mapped IPv6 peer ({@code ::ffff:10.0.0.1}) is matched as its IPv4 address, since dual
 * stack sockets report IPv4 clients that way.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefixLength;
  private final String text;

  private Cidr(byte[] network, int prefixLength, String text) {
    this.network = network;
    this.prefixLength = prefixLength;
    this.text = text;
  }

  /**
   * Parses {@code address[/prefix]}. Only literal addresses are accepted: a host name would need a
   * DNS lookup, and a trust decision must not depend on one.
   *
   * @throws IllegalArgumentException naming the value and what was expected
   */
  public static Cidr parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("'' (expected: an IP address or CIDR such as 10.0.0.0/8)");
    }
    String trimmed = value.trim();
    int slash = trimmed.indexOf('/');
    String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (!isIpLiteral(addressPart)) {
      throw new IllegalArgumentException(
          "'" + value + "' (expected: an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32)");
    }
    byte[] address;
    try {
      address = InetAddress.getByName(addressPart).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "'" + value + "' (expected: an IP address or CIDR such as 10.0.0.0/8)");
    }
    int maxBits = address.length * 8;
    int prefix = maxBits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > maxBits) {
        throw new IllegalArgumentException(
            "'" + value + "' (expected: a prefix length from 0 to " + maxBits + ")");
      }
    }
    return new Cidr(mask(address, prefix), prefix, trimmed);
  }

  private static boolean isIpLiteral(String s) {
    if (s.isEmpty()) {
      return false;
    }
    if (s.indexOf(':') >= 0) {
      return s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
    return s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
        && s.chars().filter(c -> c == '.').count() == 3;
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = Arrays.copyOf(address, address.length);
    for (int i = 0; i < out.length; i++) {
      int bitsInByte = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xFF << (8 - bitsInByte));
    }
    return out;
  }

  public boolean contains(InetAddress candidate) {
    return candidate != null && contains(candidate.getAddress());
  }

  /** Whether the raw address bytes (4 or 16) fall inside this network. */
  public boolean contains(byte[] address) {
    byte[] a = address;
    if (a.length == 16 && network.length == 4 && isIpv4Mapped(a)) {
      a = Arrays.copyOfRange(a, 12, 16);
    }
    if (a.length != network.length) {
      return false;
    }
    int fullBytes = prefixLength / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int m = 0xFF << (8 - rest);
    return (a[fullBytes] & m) == (network[fullBytes] & m);
  }

  private static boolean isIpv4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c
        && prefixLength == c.prefixLength
        && Arrays.equals(network, c.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return text;
  }
}
