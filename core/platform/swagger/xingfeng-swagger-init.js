// Start Swagger UI as flask-smorest's template does inline: the spec's URL and OPENAPI_SWAGGER_UI_CONFIG come
// from the container's data attributes.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  var config = { url: container.dataset.specUrl, dom_id: "#swagger-ui-container" };
  var overrides = JSON.parse(container.dataset.config || "{}");
  Object.keys(overrides).forEach(function (name) { config[name] = overrides[name]; });
  window.addEventListener("load", function () { window.ui = SwaggerUIBundle(config); });
})();
