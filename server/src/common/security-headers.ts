import helmet from 'helmet';

/**
 * Security headers on every answer (helmet): the console may not be framed (frame-ancestors
 * 'none', X-Frame-Options), scripts come only from Headroom itself, content types are not
 * sniffed, and no Referer leaves for the sites a runbook links to. Styles allow inline: MUI
 * writes its styles at run time. HTTPS-only headers (HSTS, upgrade-insecure-requests) are sent
 * only when HEADROOM_PUBLIC_URL is https, or a console on plain http would break.
 */
export function securityHeaders(publicUrl: string) {
  const https = publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Runbooks may show pictures from anywhere served over https.
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https,
  });
}
