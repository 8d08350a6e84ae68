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
        "/v1/categories": {"get": {"operationId": "listCategories", "responses": {
          "200": {"description": "The category tree", "content": {"application/json": {"schema": {
            "type": "object", "required": ["categories"],
            "properties": {"categories": {"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}}}}}}}}}},
        "/v1/products": {"get": {"operationId": "listProducts",
          "parameters": [
            {"name": "category", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
            {"name": "min_price", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            {"name": "max_price", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            {"name": "in_stock", "in": "query", "schema": {"type": "boolean"}},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["relevance", "price", "-price", "newest", "popular"]}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 24}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            {"name": "facets", "in": "query", "schema": {"type": "boolean"}}],
          "responses": {
            "200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductPage"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/products/{id}": {"get": {"operationId": "getProduct",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
          "responses": {
            "200": {"description": "The product", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductDetail"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts": {"post": {"operationId": "createCart",
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object",
            "properties": {"currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}}}},
          "responses": {
            "201": {"description": "The new cart, with its token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cart"}}}},
            "400": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts/{id}": {"get": {"operationId": "getCart",
          "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/CartToken"}],
          "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                        "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts/{id}/items": {"post": {"operationId": "addCartItem",
          "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/CartToken"}, {"$ref": "#/components/parameters/IfMatch"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["variant_id", "quantity"],
            "properties": {"variant_id": {"type": "integer"}, "quantity": {"type": "integer", "minimum": 1, "maximum": 999}}}}}},
          "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                        "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                        "409": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/carts/{id}/items/{line}": {
          "patch": {"operationId": "updateCartItem",
            "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/LineID"}, {"$ref": "#/components/parameters/CartToken"}, {"$ref": "#/components/parameters/IfMatch"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["quantity"],
              "properties": {"quantity": {"type": "integer", "minimum": 1, "maximum": 999}}}}}},
            "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                          "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}},
          "delete": {"operationId": "removeCartItem",
            "parameters": [{"$ref": "#/components/parameters/CartID"}, {"$ref": "#/components/parameters/LineID"}, {"$ref": "#/components/parameters/CartToken"}, {"$ref": "#/components/parameters/IfMatch"}],
            "responses": {"200": {"$ref": "#/components/responses/Cart"}, "400": {"$ref": "#/components/responses/Problem"},
                          "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/checkout": {"post": {"operationId": "checkout",
          "parameters": [{"$ref": "#/components/parameters/CartToken"},
            {"name": "Idempotency-Key", "in": "header", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 255}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckoutRequest"}}}},
          "responses": {
            "201": {"description": "The confirmed order (the same one for every retry with the same key)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "402": {"$ref": "#/components/responses/Problem"},
            "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"},
            "422": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
        "/v1/orders/{id}": {"get": {"operationId": "getOrder",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
            {"name": "X-Order-Token", "in": "header", "schema": {"type": "string"}},
            {"name": "X-Cart-Token", "in": "header", "schema": {"type": "string"}}],
          "responses": {
            "200": {"description": "The order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
            "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
            "404": {"$ref": "#/components/responses/Problem"}}}},
        "/openapi.json": {"get": {"operationId": "openapi", "responses": {"200": {"description": "This document",
          "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}}}}
      },
      "components": {
        "parameters": {
          "CartID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
          "LineID": {"name": "line", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}},
          "CartToken": {"name": "X-Cart-Token", "in": "header", "required": true, "schema": {"type": "string"}},
          "IfMatch": {"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
                      "description": "The cart version the change is based on; 409 cart_conflict if it moved on."}
        },
        "responses": {
          "Status": {"description": "Status", "content": {"application/json": {"schema": {"type": "object", "required": ["status"],
            "properties": {"status": {"type": "string"}}}}}},
          "Cart": {"description": "The cart", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cart"}}}},
          "Problem": {"description": "An RFC 9457 problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        },
        "schemas": {
          "Problem": {"type": "object", "required": ["type", "title", "status", "code", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "code": {"type": "string", "description": "Stable machine-readable code: validation_failed, not_found, sold_out, cart_conflict, idempotency_mismatch, payment_declined, payment_timeout, hold_expired, deadline_exceeded, overloaded, unauthorized, payload_too_large, ..."},
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
          "Address": {"type": "object", "required": ["name", "line1", "city", "postal_code", "country"], "properties": {
            "name": {"type": "string"}, "line1": {"type": "string"}, "line2": {"type": "string"}, "city": {"type": "string"},
            "postal_code": {"type": "string"}, "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"}}},
          "CheckoutRequest": {"type": "object", "required": ["cart_id", "email", "shipping_address", "payment_token"], "properties": {
            "cart_id": {"type": "string", "format": "uuid"}, "email": {"type": "string"},
            "shipping_address": {"$ref": "#/components/schemas/Address"}, "payment_token": {"type": "string"}}},
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
