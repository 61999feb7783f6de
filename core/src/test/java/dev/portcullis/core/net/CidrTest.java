package dev.portcullis.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void ipv4NetworksContainTheirAddressesOnly() throws Exception {
    Cidr net = Cidr.parse("10.1.0.0/16");
    assertThat(net.contains(InetAddress.getByName("10.1.255.3"))).isTrue();
    assertThat(net.contains(InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(Cidr.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.7"))).isTrue();
    assertThat(Cidr.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.8"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/9").contains(InetAddress.getByName("10.127.0.1"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/9").contains(InetAddress.getByName("10.128.0.1"))).isFalse();
  }

  @Test
  void ipv6AndMappedIpv4() throws Exception {
    Cidr v6 = Cidr.parse("2001:db8::/32");
    assertThat(v6.contains(InetAddress.getByName("2001:db8:1::5"))).isTrue();
    assertThat(v6.contains(InetAddress.getByName("2001:db9::5"))).isFalse();
    assertThat(v6.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xFF;
    mapped[11] = (byte) 0xFF;
    mapped[12] = 10;
    mapped[15] = 1;
    assertThat(Cidr.parse("10.0.0.0/8").contains(mapped)).isTrue();
  }

  @Test
  void rejectsHostNamesAndBadPrefixes() {
    assertThatThrownBy(() -> Cidr.parse("localhost"))
        .hasMessageContaining("'localhost' (expected: an IP address or CIDR");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .hasMessage("'10.0.0.0/33' (expected: a prefix length from 0 to 32)");
    assertThatThrownBy(() -> Cidr.parse("10.0.0/8")).hasMessageContaining("expected");
  }
}
