package sourcekafka.testkit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;

/**
 * Test broker's OAUTHBEARER validator for the tokens Amazon MSK IAM clients send: a base64url SigV4-presigned
 * URL for the kafka-cluster:Connect action. It checks what a client controls: the URL (host of the listener's
 * region, path, Action), the SigV4 query parameters (algorithm, credential scope with the region and the
 * kafka-cluster service, signing date close to now, expiry not passed and at most 15 minutes, signed headers),
 * and it recomputes the signature with the one test key pair it knows (JAAS options accessKeyId and
 * secretAccessKey). Amazon MSK resolves the key id to its IAM identity and then authorizes each action, which
 * no local broker can do.
 */
public final class MskIamTokenValidator implements AuthenticateCallbackHandler {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Pattern HEX_SIGNATURE = Pattern.compile("[0-9a-f]{64}");
    private static final long MAX_EXPIRES_SECONDS = 900;
    private static final long CLOCK_SKEW_SECONDS = 300;
    private static final String SERVICE = "kafka-cluster";
    private static final String EMPTY_PAYLOAD_SHA256 =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private String region;
    private String accessKeyId;
    private String secretAccessKey;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
        region = required(options, "mskRegion");
        accessKeyId = required(options, "accessKeyId");
        secretAccessKey = required(options, "secretAccessKey");
    }

    private static String required(Map<String, ?> options, String name) {
        Object value = options.get(name);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
            throw new IllegalArgumentException("MskIamTokenValidator needs the JAAS option " + name);
        }
        return (String) value;
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerValidatorCallback) {
                OAuthBearerValidatorCallback validation = (OAuthBearerValidatorCallback) callback;
                try {
                    validation.token(validate(validation.tokenValue()));
                } catch (InvalidToken e) {
                    // The status goes back to the client: it names the failed check, never a credential.
                    System.err.println("MskIamTokenValidator refused a token: " + e.getMessage());
                    validation.error("invalid_token: " + e.getMessage(), null, null);
                }
            } else if (callback instanceof OAuthBearerExtensionsValidatorCallback) {
                // MSK IAM clients send no extensions; any sent are left unvalidated, and Kafka then ignores them.
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private static final class InvalidToken extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidToken(String message) {
            super(message);
        }
    }

    private OAuthBearerToken validate(String token) throws InvalidToken {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidToken("not base64url");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidToken("not a URL");
        }
        String host = "kafka." + region + ".amazonaws.com";
        if (!"https".equals(uri.getScheme())) throw new InvalidToken("scheme is not https");
        if (!host.equals(uri.getHost())) throw new InvalidToken("host is not " + host);
        if (uri.getPort() != -1) throw new InvalidToken("URL has a port");
        if (!"/".equals(uri.getRawPath())) throw new InvalidToken("path is not /");
        Map<String, String> query = parseQuery(uri.getRawQuery());

        expect(query, "Action", "kafka-cluster:Connect");
        expect(query, "X-Amz-Algorithm", "AWS4-HMAC-SHA256");
        expect(query, "X-Amz-SignedHeaders", "host");
        String date = present(query, "X-Amz-Date");
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new InvalidToken("X-Amz-Date is not yyyyMMddTHHmmssZ");
        }
        String shortDate = date.substring(0, 8);
        String scope = shortDate + "/" + region + "/" + SERVICE + "/aws4_request";
        String credential = present(query, "X-Amz-Credential");
        if (!credential.endsWith("/" + scope)) {
            throw new InvalidToken("X-Amz-Credential scope is not <date>/" + region + "/" + SERVICE + "/aws4_request");
        }
        String keyId = credential.substring(0, credential.length() - scope.length() - 1);
        if (!keyId.equals(accessKeyId)) throw new InvalidToken("X-Amz-Credential names an unknown access key");
        long expires;
        try {
            expires = Long.parseLong(present(query, "X-Amz-Expires"));
        } catch (NumberFormatException e) {
            throw new InvalidToken("X-Amz-Expires is not a whole number of seconds");
        }
        if (expires <= 0 || expires > MAX_EXPIRES_SECONDS) throw new InvalidToken("X-Amz-Expires is not 1..900");
        Instant now = Instant.now();
        if (signedAt.isAfter(now.plusSeconds(CLOCK_SKEW_SECONDS))) throw new InvalidToken("X-Amz-Date is in the future");
        Instant expiresAt = signedAt.plusSeconds(expires);
        if (!expiresAt.isAfter(now)) throw new InvalidToken("token expired");
        String signature = present(query, "X-Amz-Signature");
        if (!HEX_SIGNATURE.matcher(signature).matches()) throw new InvalidToken("X-Amz-Signature is not 64 hex digits");
        present(query, "User-Agent");

        String expected = sign(query, host, date, shortDate, scope);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new InvalidToken("X-Amz-Signature does not match");
        }
        return token(token, keyId, signedAt.toEpochMilli(), expiresAt.toEpochMilli());
    }

    private static void expect(Map<String, String> query, String name, String value) throws InvalidToken {
        if (!value.equals(query.get(name))) throw new InvalidToken(name + " is not " + value);
    }

    private static String present(Map<String, String> query, String name) throws InvalidToken {
        String value = query.get(name);
        if (value == null || value.isEmpty()) throw new InvalidToken(name + " is missing");
        return value;
    }

    private static Map<String, String> parseQuery(String raw) throws InvalidToken {
        Map<String, String> query = new TreeMap<>();
        if (raw == null) return query;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) throw new InvalidToken("query parameter without a value");
            String name = decode(pair.substring(0, eq));
            if (query.put(name, decode(pair.substring(eq + 1))) != null) {
                throw new InvalidToken("query parameter " + name + " repeated");
            }
        }
        return query;
    }

    /** Percent-decoding only: in a SigV4 URL a "+" is itself, not a space. */
    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** RFC 3986 encoding, as SigV4 canonical requests use it. */
    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** The SigV4 signature of the presigned GET, over every parameter but the signature and the User-Agent the signer adds afterwards. */
    private String sign(Map<String, String> query, String host, String date, String shortDate, String scope) throws InvalidToken {
        TreeMap<String, String> canonical = new TreeMap<>();
        for (Map.Entry<String, String> entry : query.entrySet()) {
            if (entry.getKey().equals("X-Amz-Signature") || entry.getKey().equals("User-Agent")) continue;
            canonical.put(encode(entry.getKey()), encode(entry.getValue()));
        }
        StringBuilder canonicalQuery = new StringBuilder();
        for (Map.Entry<String, String> entry : canonical.entrySet()) {
            if (canonicalQuery.length() > 0) canonicalQuery.append('&');
            canonicalQuery.append(entry.getKey()).append('=').append(entry.getValue());
        }
        String canonicalRequest = "GET\n/\n" + canonicalQuery + "\nhost:" + host + "\n\nhost\n" + EMPTY_PAYLOAD_SHA256;
        try {
            String stringToSign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n"
                + hex(MessageDigest.getInstance("SHA-256").digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
            byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), shortDate);
            key = hmac(key, region);
            key = hmac(key, SERVICE);
            key = hmac(key, "aws4_request");
            return hex(hmac(key, stringToSign));
        } catch (GeneralSecurityException e) {
            throw new InvalidToken("cannot compute HMAC-SHA256: " + e.getMessage());
        }
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) out.append(String.format("%02x", b & 0xff));
        return out.toString();
    }

    private static OAuthBearerToken token(String value, String principal, long startMs, long expiresMs) {
        return new OAuthBearerToken() {
            @Override
            public String value() {
                return value;
            }

            @Override
            public Set<String> scope() {
                return Collections.emptySet();
            }

            @Override
            public long lifetimeMs() {
                return expiresMs;
            }

            @Override
            public String principalName() {
                return principal;
            }

            @Override
            public Long startTimeMs() {
                return startMs;
            }
        };
    }

    @Override
    public void close() {}
}
