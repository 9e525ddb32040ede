package io.inferpulse.autoscaler.metrics;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The API's TLS: its serving key and certificate, from PEM files (any key form: PKCS#8, PKCS#1,
 * SEC1) or made at start-up, and the CAs client certificates are checked against.
 */
final class ServingTls {
    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);

    private ServingTls() {}

    /** A private key and its certificate chain, leaf first. */
    record KeyMaterial(PrivateKey key, List<X509Certificate> chain) {
        KeyMaterial {
            Objects.requireNonNull(key, "key");
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("a certificate chain needs at least the serving certificate");
            }
        }

        X509Certificate certificate() {
            return chain.getFirst();
        }

        /** SHA-256 of the serving certificate, as {@code openssl x509 -fingerprint -sha256} prints it. */
        String fingerprint() {
            return fingerprint(certificate());
        }

        static String fingerprint(X509Certificate certificate) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
                return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads a PEM key and a PEM certificate file (the serving certificate first, then any intermediates). */
    static KeyMaterial load(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = certificates(read(certificateFile), certificateFile.toString());
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certificateFile + ": no PEM certificate found");
        }
        return new KeyMaterial(privateKey(read(keyFile), keyFile.toString()), chain);
    }

    /**
     * A new EC P-256 key and a certificate signed by itself for the given DNS names and addresses,
     * so the server can start where no certificate is given; the APIService then sets
     * insecureSkipTLSVerify, as the seed's adapter does, or a caBundle of this certificate.
     */
    static KeyMaterial selfSigned(List<String> hosts) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=inferpulse-metrics-api@" + now.getEpochSecond());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(SELF_SIGNED_VALIDITY)), subject,
                    pair.getPublic());
            List<GeneralName> names = new ArrayList<>();
            for (String host : hosts) {
                names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host));
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            return new KeyMaterial(pair.getPrivate(), List.of(new JcaX509CertificateConverter().getCertificate(holder)));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("Could not make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The server's TLS context.
     *
     * @param clientCas CAs a client certificate must chain to; empty to accept none
     */
    static SSLContext context(KeyMaterial serving, List<X509Certificate> clientCas) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = new char[0];
            keys.setKeyEntry("serving", serving.key(), password, serving.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < clientCas.size(); i++) {
                trusted.setCertificateEntry("client-ca-" + i, clientCas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            TrustManager[] trust = clientCas.isEmpty() ? null : tmf.getTrustManagers();

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), trust, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Could not set up TLS: " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM bundle, such as a CA file or the ConfigMap's requestheader-client-ca-file. */
    static List<X509Certificate> certificates(String pem, String source) {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(source + ": not a PEM certificate bundle: " + e.getMessage(), e);
        }
        return out;
    }

    private static PrivateKey privateKey(String pem, String source) {
        try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    // SEC1 and PKCS#1 files need not carry the public key, so convert only the private half.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not a PEM private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(source + ": no unencrypted PEM private key found");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** An IPv4 or IPv6 literal, which goes into the certificate as an address, not a DNS name. */
    private static boolean isAddress(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }
}
