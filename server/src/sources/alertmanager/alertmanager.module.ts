import { Module } from '@nestjs/common';
import { AlertmanagerController } from './alertmanager.controller';
import { AlertmanagerFastPath } from './alertmanager-fast-path';
import { AlertmanagerReceiver } from './alertmanager-receiver.service';

@Module({ controllers: [AlertmanagerController], providers: [AlertmanagerReceiver, AlertmanagerFastPath] })
export class AlertmanagerModule {}
