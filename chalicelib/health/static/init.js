// Swagger UI over this API's own /openapi.json; nothing is fetched from any other origin.
window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,  // the default would load a badge from an outside validator service
  tryItOutEnabled: false,
  persistAuthorization: false,
});
