package io.riskstream.app.http;

import io.riskstream.app.http.HttpExchanges.Response;
import java.util.List;

/** {@code GET /model-card}: the served model's card (JSON), the page CDS Hooks cards link to as their source. */
public final class ModelCardRoute {

  public static final String PATH = "/model-card";

  private ModelCardRoute() {
  }

  /** The route (open: the card holds no patient data). */
  public static List<HttpRoute> routes(String cardJson) {
    return List.of(new HttpRoute(PATH, HttpRoute.Access.OPEN, ex -> HttpExchanges.serve(ex, e -> {
      HttpExchanges.requireMethod(e, "GET", "HEAD");
      return Response.text(200, "application/json", cardJson);
    })));
  }
}
