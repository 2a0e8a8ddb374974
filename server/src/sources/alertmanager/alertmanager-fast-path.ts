import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { authenticateIntegration } from '../../auth/integration-key.guard';
import { IntegrationKeysService } from '../../auth/integration-keys.service';
import { replyJson, serveBeforeExpress } from '../../common/fast-route';
import { isPlainJson, JSON_BODY_LIMIT_BYTES, readJsonBody } from '../../common/json-body';
import { LOGGER, type Logger } from '../../common/logger';
import { ALERTMANAGER_PATH } from './alertmanager.controller';
import { AlertmanagerReceiver } from './alertmanager-receiver.service';

/**
 * The Alertmanager webhook served ahead of Express and Nest (common/fast-route.ts), the way
 * AlertmanagerController serves it: the body read and parsed as the JSON parser does, the key
 * checked as IntegrationKeyGuard does, validated and received by the same AlertmanagerReceiver,
 * the same answers (200 with the outcomes, or the same 4xx), logged as every request is.
 */
@Injectable()
export class AlertmanagerFastPath implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly keys: IntegrationKeysService,
    private readonly receiver: AlertmanagerReceiver,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    // No HTTP server when the application context is made without one (some tests).
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    serveBeforeExpress(server, { method: 'POST', path: ALERTMANAGER_PATH, takes: isPlainJson, handle: (req, res) => this.handle(req, res) }, this.logger);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // In the order Nest takes them: the body is parsed before the guard runs.
    const body = await readJsonBody(req, JSON_BODY_LIMIT_BYTES);
    const integration = await authenticateIntegration(this.keys, req.headers.authorization, 'alertmanager');
    replyJson(res, 200, await this.receiver.accept(body, integration));
  }
}
