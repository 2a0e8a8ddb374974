import { Module } from '@nestjs/common';
import { PagerDutyController } from './pagerduty.controller';
import { PagerDutyEventsService } from './pagerduty-events.service';

@Module({ controllers: [PagerDutyController], providers: [PagerDutyEventsService] })
export class PagerDutyModule {}
