/// A test-only self-signed certificate (EC P-256) for 127.0.0.1 and localhost, valid until 2126.
///
/// Made once with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
/// -subj "/CN=surge-load-test" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost".
/// It protects nothing: the tests' HTTPS server uses it on loopback only.
enum TestCertificate {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBpzCCAU2gAwIBAgIUOoQ45EyeBSbyV/+Ibvn8B8v8AlIwCgYIKoZIzj0EAwIw
        GjEYMBYGA1UEAwwPc3VyZ2UtbG9hZC10ZXN0MCAXDTI2MTEyNTEwMzQ1OVoYDzIx
        MjYxMTAxMTAzNDU5WjAaMRgwFgYDVQQDDA9zdXJnZS1sb2FkLXRlc3QwWTATBgcq
        hkjOPQIBBggqhkjOPQMBBwNCAATOHY/FTv8hP+3bvaw9juVCWiSvp21Ako9hS6hU
        hYdD/wZ03bz4fcd5ualz5oC8so7bC1QL9Dg9RDR0YxFR/ErHo28wbTAdBgNVHQ4E
        FgQU+3ULKwzCkAZgLDniioJHGXrYRuAwHwYDVR0jBBgwFoAU+3ULKwzCkAZgLDni
        ioJHGXrYRuAwDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2Nh
        bGhvc3QwCgYIKoZIzj0EAwIDSAAwRQIhALeqYm2cYgn3OswHbf7m7cWmVovJQexe
        aYbael8UI+iyAiA+QuDq7H4v1G7YXxqrydHUvL81bkwLqjYqY6ol1isiIg==
        -----END CERTIFICATE-----
        """

    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9Go1TV9x79x7x1y+
        f8gEksTV1QcRZmxeuRKRIYkJhbOhRANCAATOHY/FTv8hP+3bvaw9juVCWiSvp21A
        ko9hS6hUhYdD/wZ03bz4fcd5ualz5oC8so7bC1QL9Dg9RDR0YxFR/ErH
        -----END PRIVATE KEY-----
        """
}
