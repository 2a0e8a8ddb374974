import { Controller, HttpCode, Post, UseFilters, type StreamableFile } from '@nestjs/common';
import { IntegrationEndpoint } from '../../auth/integration-key.guard';
import { OtlpRequestBody, type OtlpBody } from './otlp-body';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpIngestService } from './otlp-ingest.service';

/** OTLP/HTTP metrics push (protobuf or JSON); authenticated by an `otlp` integration key. */
@Controller('v1')
@UseFilters(OtlpExceptionFilter)
export class OtlpController {
  constructor(private readonly otlp: OtlpIngestService) {}

  @Post('metrics')
  @HttpCode(200)
  @IntegrationEndpoint('otlp')
  exportMetrics(@OtlpRequestBody() body: OtlpBody | undefined): Promise<StreamableFile> {
    return this.otlp.export(body);
  }
}
