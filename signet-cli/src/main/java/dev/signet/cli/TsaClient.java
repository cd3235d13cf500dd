package dev.signet.cli;

import dev.signet.core.SignetException;
import dev.signet.core.crypto.Secure;
import dev.signet.core.sign.DigestAlgorithm;
import dev.signet.core.sign.SignException;
import dev.signet.core.sign.Timestamper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;

/**
 * An RFC 3161 time-stamp client over HTTP (<a href="https://www.rfc-editor.org/rfc/rfc3161#section-3.4">RFC
 * 3161 §3.4</a>): a TimeStampReq with a random nonce and {@code certReq} set, POSTed as {@code
 * application/timestamp-query}; the answer must be granted, and match the request (imprint, nonce,
 * policy) as Bouncy Castle's {@code TimeStampResponse.validate} checks it. Used by offline signing
 * with {@code --tsa URL} (Signet's own {@code /tsa} or any public TSA).
 */
final class TsaClient implements Timestamper {
    private static final long MAX_ANSWER = 1 << 20;

    private final URI url;
    private final HttpClient http;

    TsaClient(URI url) {
        this.url = url;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public byte[] timestamp(DigestAlgorithm algorithm, byte[] imprint) {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(true);
        TimeStampRequest request = generator.generate(algorithm.oid(), imprint, new BigInteger(64, Secure.random()));
        try {
            HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(url)
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/timestamp-query")
                            .header("Accept", "application/timestamp-reply")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(request.getEncoded()))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200 || response.body().length > MAX_ANSWER) {
                throw failed("HTTP " + response.statusCode());
            }
            TimeStampResponse answer = new TimeStampResponse(response.body());
            if (answer.getTimeStampToken() == null) {
                throw failed("refused: "
                        + (answer.getStatusString() == null
                                ? "status " + answer.getStatus()
                                : answer.getStatusString()));
            }
            answer.validate(request);
            return answer.getTimeStampToken().getEncoded();
        } catch (TSPException e) {
            throw failed("its answer does not match the request: " + e.getMessage());
        } catch (IOException e) {
            throw failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("interrupted");
        } catch (IllegalArgumentException e) {
            throw failed("bad URL");
        }
    }

    private SignetException failed(String why) {
        return new SignException(
                SignException.TIMESTAMP_FAILED, "the time-stamp authority " + url + " gave no timestamp: " + why);
    }
}
