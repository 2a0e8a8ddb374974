import { Module } from '@nestjs/common';
import { ChangeIntegrationsController, ChangesController } from './changes.controller';
import { ChangesService } from './changes.service';

/** The change log: what was deployed, configured or ramped, and when (docs/changes.md). */
@Module({
  controllers: [ChangeIntegrationsController, ChangesController],
  providers: [ChangesService],
  exports: [ChangesService],
})
export class ChangesModule {}
