// The API docs page (served by the gateway at /api/docs): Swagger UI over the gateway's own
// OpenAPI document. A file of its own, not an inline script, so the page runs under a
// Content-Security-Policy of script-src 'self'; nothing is loaded from any other origin.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // the default validator badge would ask validator.swagger.io about the document
  validatorUrl: null,
  tryItOutEnabled: false,
});
