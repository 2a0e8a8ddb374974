import { Module } from '@nestjs/common';
import { AlertmanagerController } from './alertmanager.controller';
import { AlertmanagerReceiver } from './alertmanager-receiver.service';

@Module({ controllers: [AlertmanagerController], providers: [AlertmanagerReceiver] })
export class AlertmanagerModule {}
