import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';
import { OncallService } from './oncall.service';
import { EscalationPoliciesController, RoutesController } from './policies.controller';
import { EscalationAuditor } from './escalation-auditor';
import { EscalationEngine } from './escalation-engine';
import { EscalationViews } from './escalation-views';
import { CalendarLinksService } from './calendar-links.service';
import { CalendarFeedController, EscalationController, OncallController, SchedulesController, UserCalendarController } from './schedules.controller';

/** Schedules, who is on call, escalation policies and the escalation engine. */
@Module({
  imports: [IncidentsModule],
  controllers: [SchedulesController, OncallController, UserCalendarController, CalendarFeedController, EscalationController, EscalationPoliciesController, RoutesController],
  providers: [OncallService, EscalationEngine, EscalationAuditor, EscalationViews, CalendarLinksService],
  exports: [OncallService, EscalationEngine, EscalationAuditor, EscalationViews],
})
export class OncallModule {}
