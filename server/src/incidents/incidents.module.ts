import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { AlertIngestService } from './intake/alert-ingest.service';
import { AlertmanagerController } from './intake/alertmanager.controller';
import { AlertmanagerReceiver } from './intake/alertmanager-receiver.service';
import { PagerDutyController } from './intake/pagerduty.controller';
import { PagerDutyEventsService } from './intake/pagerduty-events.service';
import { IncidentReportsService } from './incident-reports.service';
import { IncidentStore } from './incident-store';
import { IncidentWriter } from './incident-writer';
import { IncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';
import { SilencesController } from './silences.controller';
import { SilencesService } from './silences.service';
import { SnoozeWatcher } from './snooze-watcher';

@Module({
  imports: [ChangesModule],
  controllers: [AlertmanagerController, PagerDutyController, IncidentsController, SilencesController],
  providers: [IncidentStore, IncidentWriter, IncidentsService, AlertIngestService, AlertmanagerReceiver, PagerDutyEventsService, IncidentReportsService, SilencesService, SnoozeWatcher],
  exports: [IncidentsService, IncidentStore],
})
export class IncidentsModule {}
