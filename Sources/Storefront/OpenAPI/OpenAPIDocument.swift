/// The OpenAPI 3.1 description of the store's API, served at `/openapi.json`.
///
/// `OpenAPIConformanceTests` proves it matches the implementation: every routed operation is
/// documented and every documented operation is routed, and real responses validate against the
/// schemas documented for their status.
public enum OpenAPIDocument {
    public static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "Surge store", "version": "1.0.0",
               "description": "Headless e-commerce API. Errors are application/problem+json with a stable code."},
      "paths": {
        "/health/live": {"get": {"operationId": "live", "responses": {"200": {"$ref": "#/components/responses/Status"}}}},
        "/health/ready": {"get": {"operationId": "ready", "responses": {
          "200": {"$ref": "#/components/responses/Status"}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/categories": {"get": {"operationId": "listCategories",
          "parameters": [{"$ref": "#/components/parameters/IfNoneMatch"}],
          "responses": {
            "200": {"description": "The category tree", "content": {"application/json": {"schema": {
              "type": "object", "required": ["categories"],
              "properties": {"categories": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}}}}}}},
            "304": {"$ref": "#/components/responses/NotModified"}, "400": {"$ref": "#/components/responses/Problem"},
            "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/products": {"get": {"operationId": "listProducts", "x-strict-query": true,
          "description": "Query parameters not listed here are refused (400). A cursor that matches the pattern but was not issued for this sort is 404.",
          "parameters": [
            {"name": "category", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
            {"name": "q", "in": "query", "description": "Search text (a sort of relevance without it sorts by popularity).",
             "schema": {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"}},
            {"name": "min_price", "in": "query", "description": "Minor units; above max_price the page is empty.",
             "schema": {"type": "integer", "minimum": 0, "maximum": 1125899906842624}},
            {"name": "max_price", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1125899906842624}},
            {"name": "in_stock", "in": "query", "schema": {"type": "boolean"}},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["relevance", "price", "-price", "newest", "popular"]}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 24}},
            {"name": "cursor", "in": "query", "description": "next_cursor of the previous page, with the same sort.",
             "schema": {"type": "string", "maxLength": 200, "pattern": "^[A-Za-z0-9_-]*$"}},
            {"name": "facets", "in": "query", "schema": {"type": "boolean"}},
            {"$ref": "#/components/parameters/IfNoneMatch"}],
          "responses": {
            "200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductPage"}}}},
            "304": {"$ref": "#/components/responses/NotModified"},
            "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
            "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/products/{id}": {"get": {"operationId": "getProduct",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807}},
            {"$ref": "#/components/parameters/IfNoneMatch"}],
          "responses": {
            "200": {"description": "The product", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductDetail"}}}},
            "304": {"$ref": "#/components/responses/NotModified"},
            "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
            "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts": {"post": {"operationId": "createCart",
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
            "properties": {"currency": {"type": "string", "minLength": 3, "maxLength": 3, "pattern": "^[A-Z]{3}$", "default": "USD"}}}}}},
          "responses": {
            "201": {"description": "The new cart, with its token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cart"}}},
                    "links": {
                      "GetCart": {"operationId": "getCart", "parameters": {"path.id": "$response.body#/id", "header.X-Cart-Token": "$response.body#/token"}},
                      "AddCartItem": {"operationId": "addCartItem", "parameters": {"path.id": "$response.body#/id", "header.X-Cart-Token": "$response.body#/token"}},
                      "Checkout": {"operationId": "checkout", "parameters": {"header.X-Cart-Token": "$response.body#/token"},
                                   "requestBody": {"cart_id": "$response.body#/id"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"},
            "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts/{id}": {"get": {"operationId": "getCart", "security": [{"cartToken": []}],
          "parameters": [{"$ref": "#/components/parameters/CartID"}],
          "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                        "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                        "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts/{id}/items": {"post": {"operationId": "addCartItem", "security": [{"cartToken": []}],
          "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/IfMatch"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
            "required": ["variant_id", "quantity"],
            "properties": {"variant_id": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807},
                           "quantity": {"type": "integer", "minimum": 1, "maximum": 999}}}}}},
          "responses": {"200": {"description": "The cart", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cart"}}},
                                "links": {
                                  "UpdateLine": {"operationId": "updateCartItem", "parameters": {"path.id": "$response.body#/id",
                                    "path.line": "$response.body#/lines/0/id", "header.X-Cart-Token": "$request.header.X-Cart-Token"}},
                                  "RemoveLine": {"operationId": "removeCartItem", "parameters": {"path.id": "$response.body#/id",
                                    "path.line": "$response.body#/lines/0/id", "header.X-Cart-Token": "$request.header.X-Cart-Token"}}}},
                        "400": {"$ref": "#/components/responses/Problem"},
                        "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                        "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"},
                        "413": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts/{id}/items/{line}": {
          "patch": {"operationId": "updateCartItem", "security": [{"cartToken": []}],
            "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/LineID"}, {"$ref": "#/components/parameters/IfMatch"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
              "required": ["quantity"], "properties": {"quantity": {"type": "integer", "minimum": 1, "maximum": 999}}}}}},
            "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                          "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                          "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"},
                          "413": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}},
          "delete": {"operationId": "removeCartItem", "security": [{"cartToken": []}],
            "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/LineID"}, {"$ref": "#/components/parameters/IfMatch"}],
            "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                          "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                          "409": {"$ref": "#/components/responses/Problem"}, "412": {"$ref": "#/components/responses/Problem"},
                          "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/checkout": {"post": {"operationId": "checkout", "security": [{"cartToken": []}],
          "parameters": [
            {"name": "Idempotency-Key", "in": "header", "required": true, "description": "A unique key per purchase (e.g. a UUID); retries send the same key.",
             "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckoutRequest"}}}},
          "responses": {
            "201": {"description": "The confirmed order (the same one for every retry with the same key)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
                    "links": {"GetOrder": {"operationId": "getOrder", "parameters": {"path.id": "$response.body#/id",
                                                                                      "header.X-Order-Token": "$response.body#/token"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
            "402": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
            "409": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"},
            "422": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/orders/{id}": {"get": {"operationId": "getOrder", "security": [{"orderToken": []}, {"cartToken": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
          "responses": {
            "200": {"description": "The order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
            "404": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/openapi.json": {"get": {"operationId": "openapi", "responses": {"200": {"description": "This document",
          "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}}}},
        "/metrics": {"get": {"operationId": "metrics", "description": "Prometheus text exposition (open, like any scrape target).",
          "responses": {"200": {"description": "Metrics", "content": {"text/plain; version=0.0.4; charset=utf-8": {"schema": {"type": "string"}}}}}}},
        "/admin/queries": {"get": {"operationId": "queryStatistics", "security": [{"adminToken": []}],
          "responses": {"200": {"description": "Per-fingerprint statement statistics", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "401": {"$ref": "#/components/responses/Problem"}}}},
        "/admin/queries/reset": {"post": {"operationId": "resetQueryStatistics", "security": [{"adminToken": []}],
          "responses": {"204": {"description": "Statistics cleared"}, "401": {"$ref": "#/components/responses/Problem"}}}},
        "/admin/alerts": {"get": {"operationId": "activeAlerts", "security": [{"adminToken": []}],
          "responses": {"200": {"description": "Alerts firing now", "content": {"application/json": {"schema": {"type": "object", "required": ["alerts"]}}}},
                        "401": {"$ref": "#/components/responses/Problem"}}}},
        "/admin/doctor": {"get": {"operationId": "doctorFindings", "security": [{"adminToken": []}],
          "description": "The in-store doctor's latest verdict on the store's own database (re-examined every --doctor-interval seconds): DIAGNOSIS lines, findings with cause, object, confidence and FIX lines, and what the look cost.",
          "responses": {"200": {"description": "The doctor's current findings", "content": {"application/json": {"schema": {"type": "object",
                          "required": ["state", "evaluated_at", "diagnosis", "findings", "seen", "skipped", "window_seconds", "duration_seconds", "statements", "interval_seconds"],
                          "properties": {"state": {"type": "string", "enum": ["pending", "ok", "failed"]}, "error": {"type": "string"},
                                         "findings": {"type": "array", "items": {"type": "object", "required": ["cause", "title", "object", "key_evidence", "confidence", "evidence", "fixes"]}}}}}}},
                        "401": {"$ref": "#/components/responses/Problem"},
                        "404": {"$ref": "#/components/responses/Problem"}}}},
        "/dashboard": {"get": {"operationId": "dashboard", "security": [{"adminToken": []}, {"dashboardToken": []}],
          "responses": {"200": {"description": "The live dashboard page", "content": {"text/html; charset=utf-8": {"schema": {"type": "string"}}}},
                        "401": {"$ref": "#/components/responses/Problem"}}}},
        "/dashboard/events": {"get": {"operationId": "dashboardEvents", "security": [{"adminToken": []}, {"dashboardToken": []}],
          "description": "Server-Sent Events: one JSON snapshot per interval, until the client goes or limit events were sent.",
          "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
          "responses": {"200": {"description": "The event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                        "401": {"$ref": "#/components/responses/Problem"}}}}
      },
      "components": {
        "securitySchemes": {
          "adminToken": {"type": "http", "scheme": "bearer", "description": "SURGE_ADMIN_TOKEN, or the token `surge serve` printed."},
          "dashboardToken": {"type": "apiKey", "in": "query", "name": "token", "description": "The admin token, for browsers (EventSource cannot send headers)."},
          "cartToken": {"type": "apiKey", "in": "header", "name": "X-Cart-Token",
                        "description": "The token POST /v1/carts returned. Missing or empty: 401 unauthorized; not this cart's token: 404 not_found (a cart's existence is not revealed)."},
          "orderToken": {"type": "apiKey", "in": "header", "name": "X-Order-Token",
                         "description": "The token the checkout returned (or the cart's X-Cart-Token). Missing: 401; not this order's: 404."}
        },
        "parameters": {
          "CartID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
          "LineID": {"name": "line", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807}},
          "IfMatch": {"name": "If-Match", "in": "header", "required": false,
                      "schema": {"type": "string", "maxLength": 40, "pattern": "^(\\*|(W/)?\"[!#-~]*\"|[0-9]{1,18})$"},
                      "description": "The cart version the change is based on, as a strong entity tag (\"3\"; a bare 3 is accepted too), or *. A version the cart moved on from: 409 cart_conflict. A weak tag (W/\"3\") or a tag that is not a version never matches (RFC 9110 strong comparison): 412 precondition_failed."},
          "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": false,
                          "schema": {"type": "string"},
                          "description": "ETags of a previous answer (weak comparison: W/\"…\" matches too) or *; a match is 304 (guarded profile)."}
        },
        "responses": {
          "NotModified": {"description": "The ETag in If-None-Match is current: no body"},
          "Status": {"description": "Status", "content": {"application/json": {"schema": {"type": "object", "required": ["status"],
            "properties": {"status": {"type": "string"}}}}}},
          "Cart": {"description": "The cart", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cart"}}}},
          "Problem": {"description": "An RFC 9457 problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        },
        "schemas": {
          "Problem": {"type": "object", "required": ["type", "title", "status", "code", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "code": {"type": "string", "description": "Stable machine-readable code: validation_failed, malformed_request, not_found, method_not_allowed, unauthorized, precondition_failed, payload_too_large, sold_out, cart_conflict, cart_empty, idempotency_in_progress, idempotency_mismatch, payment_declined, payment_timeout, hold_expired, deadline_exceeded, overloaded, busy, database_unavailable, not_ready, ..."},
            "detail": {"type": "string"}}},
          "Money": {"type": "object", "required": ["amount_minor", "currency"], "properties": {
            "amount_minor": {"type": "integer"}, "currency": {"type": "string"}}},
          "CategoryNode": {"type": "object", "required": ["id", "slug", "name", "children"], "properties": {
            "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}}}},
          "ProductSummary": {"type": "object", "required": ["id", "title", "brand", "category_id", "price", "in_stock", "popularity", "created_at"], "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "brand": {"type": "string"}, "category_id": {"type": "integer"},
            "price": {"$ref": "#/components/schemas/Money"}, "in_stock": {"type": "boolean"}, "popularity": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"}}},
          "FacetCount": {"type": "object", "required": ["key", "label", "count"], "properties": {
            "key": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}},
          "ProductPage": {"type": "object", "required": ["items", "match"], "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ProductSummary"}},
            "next_cursor": {"type": "string"}, "match": {"type": "string", "enum": ["none", "fulltext", "fuzzy"]},
            "facets": {"type": "object", "required": ["categories", "brands", "price_bands"], "properties": {
              "categories": {"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}},
              "brands": {"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}},
              "price_bands": {"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}}}}}},
          "ProductVariant": {"type": "object", "required": ["id", "sku", "options", "price", "available", "in_stock"], "properties": {
            "id": {"type": "integer"}, "sku": {"type": "string"}, "options": {"type": "object"},
            "price": {"$ref": "#/components/schemas/Money"}, "available": {"type": "integer"}, "in_stock": {"type": "boolean"}}},
          "ProductDetail": {"type": "object", "required": ["id", "title", "description", "brand", "category", "price", "availability", "popularity", "created_at", "variants"], "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"}, "brand": {"type": "string"},
            "category": {"type": "object", "required": ["id", "slug", "name"], "properties": {
              "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"}}},
            "price": {"$ref": "#/components/schemas/Money"}, "availability": {"type": "string", "enum": ["in_stock", "sold_out"]},
            "popularity": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
            "variants": {"type": "array", "items": {"$ref": "#/components/schemas/ProductVariant"}}}},
          "CartLine": {"type": "object", "required": ["id", "variant_id", "product_id", "sku", "title", "quantity", "unit_price", "line_total"], "properties": {
            "id": {"type": "integer"}, "variant_id": {"type": "integer"}, "product_id": {"type": "integer"}, "sku": {"type": "string"},
            "title": {"type": "string"}, "quantity": {"type": "integer"}, "unit_price": {"$ref": "#/components/schemas/Money"},
            "line_total": {"$ref": "#/components/schemas/Money"}}},
          "Cart": {"type": "object", "required": ["id", "status", "version", "currency", "lines", "subtotal"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "status": {"type": "string", "enum": ["open", "checked_out"]},
            "version": {"type": "integer"}, "currency": {"type": "string"},
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/CartLine"}},
            "subtotal": {"$ref": "#/components/schemas/Money"}, "token": {"type": "string"}}},
          "Text": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000]*$"},
          "Address": {"type": "object", "additionalProperties": false, "required": ["name", "line1", "city", "postal_code", "country"], "properties": {
            "name": {"$ref": "#/components/schemas/Text"}, "line1": {"$ref": "#/components/schemas/Text"},
            "line2": {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"}, "city": {"$ref": "#/components/schemas/Text"},
            "postal_code": {"$ref": "#/components/schemas/Text"}, "country": {"type": "string", "minLength": 2, "maxLength": 2, "pattern": "^[A-Za-z]{2}$"}}},
          "CheckoutRequest": {"type": "object", "additionalProperties": false, "required": ["cart_id", "email", "shipping_address", "payment_token"], "properties": {
            "cart_id": {"type": "string", "format": "uuid"},
            "email": {"type": "string", "maxLength": 254, "pattern": "^[^@\\u0000]+@[^@\\u0000]*\\.[^@\\u0000]*$",
                      "description": "One @, something before it, a dot after it."},
            "shipping_address": {"$ref": "#/components/schemas/Address"}, "payment_token": {"$ref": "#/components/schemas/Text"}}},
          "OrderLine": {"type": "object", "required": ["variant_id", "sku", "title", "quantity", "unit_price"], "properties": {
            "variant_id": {"type": "integer"}, "sku": {"type": "string"}, "title": {"type": "string"},
            "quantity": {"type": "integer"}, "unit_price": {"$ref": "#/components/schemas/Money"}}},
          "Order": {"type": "object", "required": ["id", "status", "email", "total", "lines", "payment_reference", "created_at"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "status": {"type": "string", "enum": ["confirmed", "cancelled"]},
            "email": {"type": "string"}, "total": {"$ref": "#/components/schemas/Money"},
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}},
            "payment_reference": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
            "token": {"type": "string"}}}
        }
      }
    }
    """#
}
