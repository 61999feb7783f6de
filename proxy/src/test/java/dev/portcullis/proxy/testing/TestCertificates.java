package dev.portcullis.proxy.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for the TLS tests, made with the JDK's {@code keytool} (no BouncyCastle, no
 * deprecated Netty self-signed helper): a CA, and leaf certificates it signs for {@code localhost}
 * and {@code 127.0.0.1}, written as PEM (certificate chain, PKCS#8 key) the way an operator would
 * deploy them. EC P-256 keys, so generation stays fast on a loaded machine.
 */
public final class TestCertificates {
  private static final String PASS = "changeit";
  private final Path dir;
  private final Path caStore;
  private final Path caPem;
  private int leaves;

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.caStore = dir.resolve("ca.p12");
    this.caPem = dir.resolve("ca.pem");
  }

  /** A new CA in {@code dir}. */
  public static TestCertificates newCa(Path dir, String name) throws IOException {
    TestCertificates ca = new TestCertificates(dir);
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name,
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        ca.caStore.toString(),
        "-storepass",
        PASS,
        "-storetype",
        "PKCS12");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.caStore.toString(),
        "-storepass",
        PASS,
        "-file",
        ca.caPem.toString());
    return ca;
  }

  /** The CA certificate as PEM, for a trust store. */
  public Path caPem() {
    return caPem;
  }

  /** A leaf certificate and key, signed by this CA. */
  public record Leaf(Path certPem, Path keyPem, BigInteger serial) {}

  /** A new leaf for localhost and 127.0.0.1 (a new key and a new serial each time). */
  public Leaf newLeaf() throws IOException {
    int n = ++leaves;
    Path store = dir.resolve("leaf" + n + ".p12");
    Path csr = dir.resolve("leaf" + n + ".csr");
    Path crt = dir.resolve("leaf" + n + ".crt");
    keytool(
        "-genkeypair",
        "-alias",
        "leaf",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storepass",
        PASS,
        "-storetype",
        "PKCS12");
    keytool(
        "-certreq",
        "-alias",
        "leaf",
        "-keystore",
        store.toString(),
        "-storepass",
        PASS,
        "-file",
        csr.toString());
    keytool(
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        caStore.toString(),
        "-storepass",
        PASS,
        "-infile",
        csr.toString(),
        "-outfile",
        crt.toString(),
        "-validity",
        "2",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-ext",
        "EKU=serverAuth,clientAuth");
    X509Certificate leaf;
    try (InputStream in = Files.newInputStream(crt)) {
      leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    PrivateKey key;
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASS.toCharArray());
      key = (PrivateKey) ks.getKey("leaf", PASS.toCharArray());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    Path certPem = dir.resolve("server" + n + ".crt.pem");
    Path keyPem = dir.resolve("server" + n + ".key.pem");
    Files.writeString(certPem, Files.readString(crt) + Files.readString(caPem));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
    return new Leaf(certPem, keyPem, leaf.getSerialNumber());
  }

  /** The certificates of a PEM file, leaf first. */
  public static List<X509Certificate> read(Path pem) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (var c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool " + args[0] + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
