package dev.sandpit.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny real-HTTP client for the REST API tests. */
final class Api {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final String base;
  String token;

  Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Api as(String token) {
    return new Api(base, token);
  }

  private Api(String base, String token) {
    this.base = base;
    this.token = token;
  }

  record Res(int status, String body, java.net.http.HttpHeaders headers) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }

    String code() {
      return json().getString("code");
    }
  }

  Res call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("content-type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.body(), r.headers());
  }

  Res get(String path) throws Exception {
    return call("GET", path, null);
  }

  Res post(String path, JsonObject body) throws Exception {
    return call("POST", path, body == null ? null : body.encode());
  }

  Res put(String path, JsonObject body, String... headers) throws Exception {
    return call("PUT", path, body.encode(), headers);
  }

  Res patch(String path, JsonObject body) throws Exception {
    return call("PATCH", path, body.encode());
  }

  Res delete(String path) throws Exception {
    return call("DELETE", path, null);
  }

  /** A new guest account; returns a client signed in as it. */
  Api guest() throws Exception {
    Res r = new Api(base, null).post("/api/auth/guest", null);
    if (r.status() != 201) throw new AssertionError("guest: " + r.status() + " " + r.body());
    return new Api(base, r.json().getString("token"));
  }

  String userId() throws Exception {
    return get("/api/auth/me").json().getString("id");
  }
}
