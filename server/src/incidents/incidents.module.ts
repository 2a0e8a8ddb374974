import { Module } from '@nestjs/common';
import { AlertIngestService } from './alert-ingest.service';
import { IncidentHooks } from './incident-hooks';
import { IncidentReportsService } from './incident-reports.service';
import { IncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';
import { MaintenanceWindowsController } from './maintenance-windows.controller';
import { MaintenanceWindowsService } from './maintenance-windows.service';
import { SilencesController } from './silences.controller';
import { SilencesService } from './silences.service';
import { SnoozeWatcher } from './snooze-watcher';

@Module({
  controllers: [IncidentsController, SilencesController, MaintenanceWindowsController],
  providers: [IncidentHooks, IncidentsService, AlertIngestService, IncidentReportsService, SilencesService, MaintenanceWindowsService, SnoozeWatcher],
  exports: [IncidentsService, IncidentHooks],
})
export class IncidentsModule {}
