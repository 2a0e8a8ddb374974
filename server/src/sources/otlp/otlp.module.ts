import { Module } from '@nestjs/common';
import { SloModule } from '../../slo/slo.module';
import { OtlpController } from './otlp.controller';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpIngestService } from './otlp-ingest.service';

/** POST /v1/metrics. Its body reader (otlpBodyReader) is mounted in bootstrap, before the JSON parser. */
@Module({ imports: [SloModule], controllers: [OtlpController], providers: [OtlpIngestService, OtlpExceptionFilter], exports: [OtlpIngestService] })
export class OtlpModule {}
