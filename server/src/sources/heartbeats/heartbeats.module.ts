import { Module } from '@nestjs/common';
import { HeartbeatBeatController, HeartbeatsController } from './heartbeats.controller';
import { HeartbeatsService } from './heartbeats.service';

/** Heartbeats (dead man's switches): beats over HTTP, the missed-beat pass, the declarations API. */
@Module({
  controllers: [HeartbeatBeatController, HeartbeatsController],
  providers: [HeartbeatsService],
  exports: [HeartbeatsService],
})
export class HeartbeatsModule {}
